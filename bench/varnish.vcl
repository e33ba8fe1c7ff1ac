# Varnish configuration for bench/run.sh. @ORIGIN_PORT@ is substituted by run.sh; the generated copy
# lives in the run's temporary directory. Built-in VCL otherwise: GET/HEAD without cookies or
# Authorization are cached for the origin's max-age.
vcl 4.1;

backend origin {
    .host = "127.0.0.1";
    .port = "@ORIGIN_PORT@";
}

sub vcl_deliver {
    # Hit/miss marker, the same information as lacquer's Cache-Status.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
