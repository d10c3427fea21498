#!/usr/bin/env python3
"""Edits a story's headline the way an editor does, then polls a cache in front of the app
until readers get it (issue #21: "an edited headline is visible through Varnish within 1 s").

    edit_headline.py APP_URL READ_URL ARTICLE_PATH EMAIL PASSWORD

Signs in at APP_URL, opens the story's editor (through "Edit post" on its page), posts the
editor's own form back with a new headline (multipart, as the browser does without
JavaScript), and from the moment the save is answered polls READ_URL + ARTICLE_PATH every
10 ms. Prints the milliseconds until the new headline shows, or fails after 10 s.
"""
import html.parser
import http.cookiejar
import json
import re
import sys
import time
import urllib.request
import uuid


class ArticleForm(html.parser.HTMLParser):
    """The fields of the editor's `<form aria-label="Article">` as the browser would post them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.action = None
        self.fields = []
        self.textarea = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("aria-label") == "Article":
            self.inside, self.action = True, a.get("action")
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields.append([name, a.get("value", "")])
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
            self.fields.append(self.textarea)
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append([self.select, a.get("value", "")])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.inside:
            self.inside = False


def main():
    app, read, path, email, password = sys.argv[1:6]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    same_site = {"Origin": app, "Sec-Fetch-Site": "same-origin", "Accept": "application/json"}

    def post(url, body, content_type):
        req = urllib.request.Request(url, data=body, headers={**same_site, "Content-Type": content_type})
        with opener.open(req, timeout=10) as r:
            return r.status, r.read().decode()

    form = urllib.parse.urlencode({"email": email, "password": password}).encode()
    status, _ = post(app + "/api/account/sign-in", form, "application/x-www-form-urlencoded")
    assert status == 200, f"sign-in answered {status}"
    page = opener.open(app + path, timeout=10).read().decode()
    edit = re.search(r'href="(/editor/articles/\d+)"[^>]*>Edit post<', page)
    assert edit, "no Edit post link for the signed-in editor"
    parser = ArticleForm()
    parser.feed(opener.open(app + edit.group(1), timeout=10).read().decode())
    fields = parser.fields
    old = next(v for k, v in fields if k == "title")
    new = f"{old.split(' [')[0]} [edited {time.strftime('%H:%M:%S')}]"
    fields = [[k, new if k == "title" else v] for k, v in fields] + [["intent", "save"]]
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields
    ) + f"--{boundary}--\r\n".encode()
    status, answer = post(app + parser.action, body, f"multipart/form-data; boundary={boundary}")
    saved = time.monotonic()
    assert status == 200 and "updated" in json.loads(answer).get("message", ""), answer
    while time.monotonic() - saved < 10:
        req = urllib.request.Request(read + path, headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) bench"})
        with urllib.request.urlopen(req, timeout=5) as r:
            if new in r.read().decode():
                print(f"{(time.monotonic() - saved) * 1000:.0f}")
                return
        time.sleep(0.01)
    sys.exit("the edited headline never showed")


if __name__ == "__main__":
    main()
