# Varnish in front of the site's app servers (Varnish 7.1, varnish-modules' xkey).
#
#   varnishd -a :80 -f /path/to/outsourcing_kb/varnish/site.vcl \
#            -p vcl_path=/etc/varnish:/path/to/outsourcing_kb/varnish -s malloc,1g
#
# backends.vcl names the app servers and who may purge; the copy here serves
# one gunicorn on 127.0.0.1:8000. Put your own earlier in vcl_path to override it.
#
# What the site tells Varnish (comparisons/page_cache.py): a public page carries
# s-maxage (how long to keep it), stale-if-error (how long to serve it while
# the site fails) and xkey (the records it shows). After every change the
# app sends PURGE with the changed records' keys (DJANGO_CACHE_PURGE_URLS),
# and exactly those pages are dropped, in every language.
vcl 4.1;

import std;
import xkey;

include "backends.vcl";
# Which addresses are public pages and which query parameters they read, as the
# views declare them: written by `manage.py varnishvcl`.
include "public_pages.vcl";

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey-softpurge) {
            # Expired but kept: served while fetched again, or while the site fails.
            set req.http.n-gone = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "Name the keys in an xkey-purge or xkey-softpurge header"));
        }
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    # Pages name their scheme in their links, so it is part of the key (vcl_hash):
    # only the two values the load balancer sends, whatever a client writes.
    if (req.http.X-Forwarded-Proto != "https") {
        set req.http.X-Forwarded-Proto = "http";
    }
    # The public pages (language-prefixed, and the sitemaps and robots.txt) are the
    # same for everyone: no cookie changes them (the language is in the address),
    # so none splits the cache.
    call public_page;
    if (req.http.X-Public-Page) {
        unset req.http.X-Public-Page;
        unset req.http.Cookie;
        # Pages carry an ETag and no Last-Modified: Varnish would compare a date with
        # the time it fetched the page, and answer 304 for a page changed since the
        # client's copy. Only the ETag (If-None-Match) decides.
        unset req.http.If-Modified-Since;
        # Only the parameters some page reads, in one order: tracking and
        # random parameters cannot make a page a miss. (The site redirects a
        # page asked with one it does not read to its address, uncached.)
        if (req.url ~ "\?") {
            call page_parameters;
            set req.url = regsuball(req.url, "&{2,}", "&");
            set req.url = regsub(req.url, "\?&", "?");
            set req.url = regsub(req.url, "[?&]+$", "");
            set req.url = std.querysort(req.url);
        }
    }
}

sub vcl_hash {
    # Pages name their own absolute address: scheme and host are part of the key.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_response {
    # The site is failing: keep serving what is cached rather than its error.
    if (bereq.is_bgfetch && beresp.status >= 500) {
        return (abandon);
    }
    # Only what the site marks for shared caches is kept (not the admin, not a
    # 404, not a page rendered while its record changed).
    if (beresp.http.Cache-Control !~ "s-maxage" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Varnish takes the time to live from s-maxage. Past it, the page is kept
    # for stale-if-error: served while it is fetched again, and for as long as
    # the site fails. It is purged when it changes, so it is not out of date.
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
    }
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # Browsers revalidate every time (with the ETag): only this cache is told of changes.
    if (resp.http.xkey) {
        unset resp.http.xkey;
        unset resp.http.Surrogate-Key;
        unset resp.http.Cache-Tag;
        set resp.http.Cache-Control = "public, max-age=0, must-revalidate";
    }
}
