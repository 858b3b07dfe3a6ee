"""Parse a page with the stdlib HTML parser (tests assert on structure, not strings)."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """A parsed page: text per element id, every link, table cells, title, nav labels."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, str] = {}
        self.links: list[str] = []
        self.title = ""
        self.h1 = ""
        self.scripts: list[dict[str, str]] = []
        self.nav: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._open: list[tuple[str, str | None]] = []
        self._ids: list[tuple[str, list[str]]] = []
        self._cell: list[str] | None = None
        self._in_nav = False
        self._in_title = self._in_h1 = False
        self._script: dict[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
            if self._in_nav:
                self.nav.append(a["href"])
        if tag == "nav":
            self._in_nav = True
        if tag == "title":
            self._in_title = True
        if tag == "h1":
            self._in_h1 = True
        if tag == "script":
            self._script = {**a, "text": ""}
        if tag == "table":
            self.tables.append([])
        if tag == "tr" and self.tables:
            self.tables[-1].append([])
        if tag in ("td", "th"):
            self._cell = []
        if "id" in a and tag not in ("input", "img", "br", "meta", "link"):
            self._ids.append((a["id"], []))
            self._open.append((tag, a["id"]))
        elif tag not in ("input", "img", "br", "meta", "link"):
            self._open.append((tag, None))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = False
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False
        if tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        while self._open:
            t, ident = self._open.pop()
            if ident is not None:
                for i in range(len(self._ids) - 1, -1, -1):
                    if self._ids[i][0] == ident:
                        self.by_id[ident] = " ".join("".join(self._ids.pop(i)[1]).split())
                        break
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, buf in self._ids:
            buf.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._in_title:
            self.title += data
        if self._in_h1:
            self.h1 += data
        if self._script is not None:
            self._script["text"] += data
