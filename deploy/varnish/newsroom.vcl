vcl 4.1;
# Varnish 7 in front of Newsroom (Debian 12: packages varnish and varnish-modules).
# Read deploy/varnish/README.md first: it says how to start varnishd (-p http_gzip_support=off
# is required) and what each part of this file is for. `make bench` runs this file as is, with
# only the backend port changed.

import std;
import xkey;

backend newsroom {
    .host = "127.0.0.1";
    .port = "3000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    # /live is a Server-Sent Events stream; it is passed (never cached) and sends a heartbeat
    # well within this.
    .between_bytes_timeout = 120s;
    # Tells vcl_hit whether the app is up (stale-if-error is only used while it is not).
    .probe = {
        .url = "/healthz";
        .interval = 2s;
        .timeout = 1s;
        .window = 5;
        .threshold = 3;
    }
}

# Who may purge: the app itself. Add the app servers' addresses when they run elsewhere.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.restarts == 0) {
        # Internal markers; never taken from a client.
        unset req.http.x-nr-fresh-only;
        unset req.http.x-nr-purged;
    }

    # Purge by tag: `PURGE / HTTP/1.1` with `xkey-purge: tag1 tag2`.
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "xkey-purge header required"));
        }
        # A hard purge: the tagged pages are gone at once and the next reader waits for a
        # fresh render. xkey.softpurge() would instead mark them stale and keep serving them
        # (within grace) while one background fetch refreshes them: faster for readers, but the
        # old headline can still be seen once after the save. Corrections must not linger, so
        # this file purges hard.
        set req.http.x-nr-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        # Forms, sign-in, comments, uploads: straight to the app, never stored.
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # Signed-in staff (nr_session) and readers (nr_reader) see personal pages.
    if (req.http.Cookie ~ "(^|;)\s*(nr_session|nr_reader)=") {
        return (pass);
    }
    # A page that shows the result of a form post (?flash=…) reads the nr_flash cookie; the app
    # marks it private anyway.
    if (req.url ~ "[?&]flash=") {
        return (pass);
    }
    # No session: any other cookie (analytics, consent banners) does not change the page, so
    # it is left out and every anonymous reader shares one stored copy.
    unset req.http.Cookie;

    # The app varies pages on Accept-Encoding; three values at most means three copies at most.
    if (req.http.Accept-Encoding) {
        if (req.http.Accept-Encoding ~ "(?i)\bbr\b") {
            set req.http.Accept-Encoding = "br";
        } elsif (req.http.Accept-Encoding ~ "(?i)\bgzip\b") {
            set req.http.Accept-Encoding = "gzip";
        } else {
            unset req.http.Accept-Encoding;
        }
    }
    if (req.http.x-nr-fresh-only) {
        # Second pass from vcl_hit: a stale copy must not be used.
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hit {
    if (obj.ttl >= 0s) {
        return (deliver);
    }
    # Stale. Within the app's stale-while-revalidate: serve it, Varnish refreshes it in the
    # background.
    if (obj.ttl + std.duration(obj.http.x-nr-swr + "s", 0s) > 0s) {
        return (deliver);
    }
    # Within stale-if-error (the object's grace covers it): only while the app is down.
    if (!std.healthy(req.backend_hint)) {
        return (deliver);
    }
    # Otherwise the reader waits for a fresh page.
    set req.http.x-nr-fresh-only = "1";
    return (restart);
}

sub vcl_backend_response {
    # xkey indexes stored objects by their `xkey` header; accept the Surrogate-Key spelling too.
    if (!beresp.http.xkey && beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    if (bereq.uncacheable) {
        # A pass: hand the response over untouched.
        return (deliver);
    }
    if (beresp.status >= 500) {
        if (bereq.is_bgfetch) {
            # A background refresh failed: keep the stale copy (stale-if-error).
            return (abandon);
        }
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Stored only when the app says it may be: never with Set-Cookie, private or no-store, and
    # never without an explicit lifetime (Varnish's default_ttl would otherwise keep JSON or
    # other responses for two minutes).
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || !(beresp.http.Cache-Control ~ "(?i)(s-maxage|max-age)=" || beresp.http.Expires)) {
        # Hit-for-miss for a minute: later requests skip the waiting list, and a cacheable
        # response replaces this marker at once.
        set beresp.ttl = 60s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Varnish itself takes the TTL from s-maxage (over max-age) and the grace from
    # stale-while-revalidate. Remember the latter for vcl_hit; without it nothing stale is
    # served while the app is up.
    if (beresp.http.Cache-Control ~ "(?i)stale-while-revalidate=[0-9]+") {
        set beresp.http.x-nr-swr = regsub(beresp.http.Cache-Control,
            "(?i)^.*stale-while-revalidate=([0-9]+).*$", "\1");
    } else {
        set beresp.http.x-nr-swr = "0";
    }
    # stale-if-error: the grace is stretched to cover it; vcl_hit only uses the extra part
    # while the health probe says the app is down.
    if (beresp.http.Cache-Control ~ "(?i)stale-if-error=[0-9]+") {
        if (std.duration(regsub(beresp.http.Cache-Control,
                "(?i)^.*stale-if-error=([0-9]+).*$", "\1") + "s", 0s) > beresp.grace) {
            set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
                "(?i)^.*stale-if-error=([0-9]+).*$", "\1") + "s", 0s);
        }
    }
    # Keep expired copies an hour longer for conditional refreshes (the app answers 304 to
    # If-None-Match with its ETag).
    set beresp.keep = 1h;
    return (deliver);
}

sub vcl_deliver {
    # Tags are for this cache only.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.x-nr-swr;
}

sub vcl_synth {
    if (req.method == "PURGE" && resp.status == 200) {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.http.xkey-purged = req.http.x-nr-purged;
        set resp.body = "purged " + req.http.x-nr-purged + {"
"};
        return (deliver);
    }
}
