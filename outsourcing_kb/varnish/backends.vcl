# The app servers Varnish fetches pages from, and the addresses allowed to
# purge (the app servers again). One gunicorn on this machine; for several,
# name each as a backend and spread requests over them with vmod_directors.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

acl purgers {
    "127.0.0.1";
    "::1";
}
