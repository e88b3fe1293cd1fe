"""Synthetic 903 returns with the mistakes real local-authority files contain.

:func:`generate_return` makes a seeded return for a collection year (Header,
Episodes, Missing and last year's Missing), every cell the text a file would
hold; :func:`write_files` writes it as CSV files or an XML return, with the
mistakes that live in the file rather than the cells. Every record is
synthetic: ids are ``C<seed><n>``, dates are drawn at random.

The mistake classes (:data:`MISTAKES`), each drawn on every seed:

- in cells: codes and dates padded with spaces (``' A'``, ``'17/05/2025 '``),
  lower-case codes (``m``, ``e8``), dates in other formats (``2025-05-17``,
  ``17/5/25``) or not dates at all, blank and unknown codes;
- in rows: duplicate rows, children missing from Header, Missing rows for
  children with no episodes, overlapping, touching and open missing periods,
  episodes and missing periods across the year boundary (started before
  1 April, open at 31 March), gaps between episodes, 18th birthdays while
  missing, last year's open periods carried (or not);
- in files (CSV): a UTF-8 byte-order mark, ``\\r\\n`` line ends, blank lines,
  trailing empty columns.

It is how the parity test with DfE's public validator and the 903 benchmark
make their files.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from missingcare.adapters.ssda903.tables import CollectionYear, Return903, Table
from missingcare.adapters.ssda903.writing import write_csv, write_xml

__all__ = [
    "FILE_MISTAKES",
    "MISTAKES",
    "Record",
    "file_mistakes",
    "generate_return",
    "write_files",
]

Record = dict[str, str | None]

#: The mistake classes in cells and rows that :func:`generate_return` draws.
MISTAKES = (
    "padded_code",
    "padded_date",
    "lower_case_code",
    "iso_date",
    "two_digit_year",
    "not_a_date",
    "unknown_code",
    "duplicate_row",
    "not_in_header",
    "no_episodes",
    "overlap",
    "year_boundary",
)
#: The mistake classes in CSV files that :func:`write_files` draws (per seed).
FILE_MISTAKES = ("bom", "crlf", "blank_lines", "trailing_columns")

_BAD_DATES = (
    "31/02/2025",
    "00/01/2025",
    "32/01/2025",
    "01/13/2025",
    "NA",
    "unknown",
    "01/06/2025 00:00",
    "29/02/2025",
    "01-06-2025",
)
_KINDS = ("M", "A", "m", "a", "", "X", "AWAY", "NA", " A", "M ", " m")
_KIND_WEIGHTS = (45, 40, 3, 3, 3, 2, 1, 1, 2, 2, 1)


def _eighteenth(dob: date) -> date:
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:
        return date(dob.year + 18, 2, 28)


class _Cells:
    """Writes dates and codes as a file would hold them, with a share of mistakes."""

    def __init__(self, rng: random.Random, p_bad: float) -> None:
        self.rng = rng
        self.p_bad = p_bad

    def fmt(self, d: date) -> str:
        if self.rng.random() < 0.1:
            return f"{d.day}/{d.month}/{d.year}"  # no leading zeros: still a valid 903 date
        return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"

    def date(self, d: date, p_bad: float | None = None) -> str | None:
        p = self.p_bad if p_bad is None else p_bad
        rng = self.rng
        r = rng.random()
        if r >= p:
            return self.fmt(d)
        r /= p
        if r < 0.2:
            return None
        if r < 0.4:  # padded
            return rng.choice((" ", "  ", "")) + self.fmt(d) + rng.choice((" ", ""))
        if r < 0.55:
            return d.isoformat()  # 2025-05-17
        if r < 0.7:
            return f"{d.day}/{d.month}/{d.year % 100:02d}"  # 17/5/25
        if r < 0.75:
            return f" {d.day}/{d.month:02d}/{d.year}" if d.day < 10 else self.fmt(d)
        return rng.choice(_BAD_DATES)

    def code(self, code: str | None) -> str | None:
        rng = self.rng
        r = rng.random()
        if code is None or r > self.p_bad:
            return code
        if r < self.p_bad / 2:
            return code.lower()
        return rng.choice((" ", "")) + code + rng.choice((" ", ""))


def generate_return(
    seed: int,
    year: CollectionYear | str = "2025/26",
    *,
    children: int | None = None,
    missing_per_child: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12),
    p_bad: float = 0.05,
    tidy_children: float = 0.0,
) -> dict[str, list[Record]]:
    """A synthetic 903 return with every mistake class, deterministic per seed.

    ``children`` defaults to 50 to 90; each child's number of Missing rows is drawn
    from ``missing_per_child``. ``p_bad`` is the share of dates and codes with a
    mistake in them. A share ``tidy_children`` of the children have consistent records
    (in Header, in care throughout the year, missing periods closed and apart, inside
    it), as most children in a real return do; their cells still have ``p_bad``
    mistakes. Returns the records of ``Header``, ``Episodes``, ``Missing``
    and ``Missing_last``, every cell the text a file would hold (``None`` blank).

    >>> tables = generate_return(1)
    >>> sorted(tables), len(tables["Missing"]) > 100
    (['Episodes', 'Header', 'Missing', 'Missing_last'], True)
    """
    y = CollectionYear.parse(year) if isinstance(year, str) else year
    rng = random.Random(seed)
    cells = _Cells(rng, p_bad)
    y0, y1 = y.start, y.end
    header: list[Record] = []
    episodes: list[Record] = []
    missing: list[Record] = []
    last: list[Record] = []
    count = rng.randint(50, 90) if children is None else children
    for i in range(count):
        child = f"C{seed:03d}{i:06d}" if children else f"C{seed:03d}{i:03d}"
        if rng.random() < 0.2:
            dob = date(y.start_year - 18, 4, 1) + timedelta(rng.randrange(366))  # turns 18
        else:
            dob = date(y.start_year - 19, 1, 1) + timedelta(rng.randrange(365 * 13))
        adult = _eighteenth(dob)
        tidy = tidy_children > 0 and rng.random() < tidy_children
        if tidy or rng.random() > 0.03:  # else: not in Header
            header.append(
                {
                    "CHILD": child,
                    "SEX": cells.code("1"),
                    "DOB": cells.date(dob, 0.02),
                    "ETHNIC": "WBRI",
                }
            )
        care_start = y0 - timedelta(days=rng.randrange(0, 800))
        last_decom = care_start
        if tidy or rng.random() > 0.04:  # else: no episodes
            cur = care_start
            k = rng.randint(1, 4)
            for j in range(k):
                dec = cur + timedelta(days=rng.randrange(1, 300))
                dec_text = cells.date(dec, 0.03)
                last_decom = cur
                if tidy and j == k - 1:
                    dec_text = None
                elif j == k - 1:
                    r = rng.random()
                    if r < 0.45:
                        dec_text = None
                    elif r < 0.6 and y0 <= adult <= y1:
                        dec_text = cells.fmt(adult)
                episodes.append(
                    {
                        "CHILD": child,
                        "DECOM": cells.date(cur, 0.02),
                        "RNE": "P",
                        "LS": "C2",
                        "CIN": "N1",
                        "PLACE": "U1",
                        "PLACE_PROVIDER": "PR1",
                        "DEC": dec_text,
                        "REC": cells.code(rng.choice(("E8", "E8", "E4A", "X1", None))),
                    }
                )
                r = 0.0 if tidy else rng.random()
                if r < 0.6:
                    cur = dec
                elif r < 0.85:
                    cur = dec + timedelta(days=rng.randrange(1, 90))  # a gap
                else:
                    cur = dec - timedelta(days=rng.randrange(1, 30))  # an overlap
        rows: list[Record] = []
        r = 2.0 if tidy else rng.random()
        if tidy:
            cursor = max(last_decom, y0) + timedelta(days=rng.randrange(0, 150))
        elif r < 0.15:  # around the year boundary: started before 1 April, or at its end
            cursor = y0 - timedelta(days=rng.randrange(1, 40))
        elif r < 0.25:
            cursor = y1 - timedelta(days=rng.randrange(0, 30))
        elif r < 0.85:
            cursor = max(care_start, y0 - timedelta(days=20)) + timedelta(rng.randrange(0, 300))
        else:
            cursor = care_start + timedelta(days=rng.randrange(-30, 700))
        for _ in range(rng.choice(missing_per_child)):
            if tidy and cursor > y1 - timedelta(days=25):
                break
            start = cursor
            end = start + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5, 9, 20)))
            dob_text: str | None = cells.fmt(dob)
            r = 1.0 if tidy else rng.random()
            if r < 0.03:
                dob_text = cells.fmt(dob + timedelta(days=rng.randrange(1, 400)))
            elif r < 0.05:
                dob_text = None
            end_text = cells.date(end)
            if not tidy and rng.random() < 0.08:
                end_text = None
            if y0 <= adult <= y1 and rng.random() < 0.15:
                end_text = cells.fmt(adult)
            if tidy:
                kind = cells.code(rng.choice(("M", "A")))
            else:
                kind = rng.choices(_KINDS, _KIND_WEIGHTS)[0] or None
            rows.append(
                {
                    "CHILD": child,
                    "DOB": dob_text,
                    "MISSING": kind,
                    "MIS_START": cells.date(
                        start if tidy or rng.random() > 0.01 else dob - timedelta(days=3)
                    ),
                    "MIS_END": end_text,
                }
            )
            if not tidy and rng.random() < 0.02:
                rows.append(dict(rows[-1]))  # a duplicate row
            r = 1.0 if tidy else rng.random()
            if r < 0.1:
                cursor = end - timedelta(days=rng.randrange(1, 4))  # overlap
            elif r < 0.25:
                cursor = end  # touching
            else:
                cursor = end + timedelta(days=rng.randrange(1, 60))
        if rng.random() < 0.3:
            rng.shuffle(rows)
        missing.extend(rows)
        if rng.random() < 0.35:
            lstart = y0 - timedelta(days=rng.randrange(1, 200))
            last.append(
                {
                    "CHILD": child,
                    "DOB": cells.fmt(dob),
                    "MISSING": "M",
                    "MIS_START": cells.fmt(lstart - timedelta(days=30)),
                    "MIS_END": cells.fmt(lstart - timedelta(days=20)),
                }
            )
            r = rng.random()
            if r < 0.5 and rows and rows[0]["MIS_START"] is not None:
                carried = rows[0]["MIS_START"]  # carried correctly (if it is the earliest)
            elif r < 0.9:
                carried = cells.fmt(lstart)
            else:
                carried = rng.choice(_BAD_DATES)
            last.append(
                {"CHILD": child, "DOB": cells.fmt(dob), "MISSING": "A", "MIS_START": carried}
            )
    if seed % 3 == 0:
        rng.shuffle(missing)
    if seed % 5 == 0:
        rng.shuffle(episodes)
    return {"Header": header, "Episodes": episodes, "Missing": missing, "Missing_last": last}


def file_mistakes(seed: int) -> frozenset[str]:
    """The file mistakes :func:`write_files` makes in a seed's CSV files.

    Every seed has a share of them; over four consecutive seeds each one occurs.
    """
    rng = random.Random(seed * 7919 + 1)
    chosen = {FILE_MISTAKES[seed % len(FILE_MISTAKES)]}
    chosen.update(m for m in FILE_MISTAKES if rng.random() < 0.3)
    return frozenset(chosen)


def _mess(data: bytes, mistakes: frozenset[str], rng: random.Random) -> bytes:
    lines = data.decode("utf-8").split("\r\n")
    if lines and not lines[-1]:
        lines.pop()
    if "trailing_columns" in mistakes:
        extra = "," * rng.randint(1, 3)
        lines = [line + extra for line in lines]
    if "blank_lines" in mistakes:
        out: list[str] = []
        for n, line in enumerate(lines):
            out.append(line)
            if n and rng.random() < 0.02:
                out.append(rng.choice(("", "", " ")))
        lines = out
    end = "\r\n" if "crlf" in mistakes else "\n"
    text = end.join(lines) + end
    bom = b"\xef\xbb\xbf" if "bom" in mistakes else b""
    return bom + text.encode("utf-8")


def write_files(
    tables: dict[str, list[Record]],
    folder: Path,
    *,
    seed: int = 0,
    xml: bool = False,
    mistakes: frozenset[str] | None = None,
) -> dict[str, Path]:
    """Write a generated return: four CSV files, or (``xml=True``) this year's XML return
    (``XML``) and last year's (``XML_last``, holding last year's Missing rows).

    CSV files get ``mistakes`` (by default :func:`file_mistakes` of the seed). Returns
    the paths by table name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if xml:
        this = Return903(
            header=Table.from_records("Header", tables["Header"]),
            episodes=Table.from_records("Episodes", tables["Episodes"]),
            missing=Table.from_records("Missing", tables["Missing"]),
        )
        last_children = {r["CHILD"]: r.get("DOB") for r in tables["Missing_last"]}
        prev = Return903(
            header=Table.from_records(
                "Header", [{"CHILD": c, "DOB": d} for c, d in last_children.items()]
            ),
            missing=Table.from_records("Missing", tables["Missing_last"]),
        )
        paths = {"XML": folder / "return.xml", "XML_last": folder / "last.xml"}
        paths["XML"].write_bytes(write_xml(this))
        paths["XML_last"].write_bytes(write_xml(prev))
        return paths
    chosen = file_mistakes(seed) if mistakes is None else mistakes
    rng = random.Random(seed)
    paths = {}
    for name, records in tables.items():
        table = Table.from_records("Missing" if name == "Missing_last" else name, records)
        path = folder / f"{name}.csv"
        path.write_bytes(_mess(write_csv(table), chosen, rng))
        paths[name] = path
    return paths
