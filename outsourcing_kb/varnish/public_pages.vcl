# Written by `manage.py varnishvcl` from the views' declarations
# (comparisons/page_cache.py): do not edit; run the command again.

# A public page: the same for everyone, so no cookie splits the cache.
sub public_page {
    if ((req.method == "GET" || req.method == "HEAD")
        && (req.url ~ "^/(en|uk|de)/" || req.url ~ "^/(robots\.txt|sitemap\-(?:[^/]+)\.xml|sitemap\.xml)(\?|$)")) {
        set req.http.X-Public-Page = "1";
    } else {
        unset req.http.X-Public-Page;
    }
}

# Only the query parameters some page reads, in one order.
sub page_parameters {
    set req.url = regsuball(req.url, "([?&])(?!(?:category|first|fourth|p|page|q|second|third)=)[^&]*", "\1");
}
