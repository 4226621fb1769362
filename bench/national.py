"""A national unit list the shape of the NBS division list, as an office exports it.

31 provinces, about 2,800 county-level units under some 330 prefectures (with the four
prefecture-level cities that have no counties — Dongguan, Zhongshan and Danzhou standing
where a county would and holding their towns directly, under a county part ``00``;
Jiayuguan as the real list codes it, its one county-level part 620201000000 named after
the city, its towns under 620201, 53 rows), about 38,000 towns,
townships and streets, and about 610,000 communities and villages: some 651,000 rows.
Codes follow the NBS numbering (streets 001-099, towns 100-199, townships 200-399;
residents' committees 001-199, villagers' committees 200-399); names are Chinese.

The CSV is GBK with Chinese headers (统计用区划代码, 名称, 类型, 城乡分类代码), kinds as
Chinese labels (市辖区, 县, 县级市, 自治县, 旗, 市, 街道, 镇, 乡, 居委会, 社区, 村委会),
and the quirks real lists have: rows repeated further down, children a little before
their parents, names padded with ASCII or full-width spaces, blank lines, CRLF.
Rows are generated as they are written: the list is never held whole.

    .venv/bin/python bench/national.py out.csv [--scale 1.0]
"""
import argparse
import random

HEADER = ("统计用区划代码", "名称", "类型", "城乡分类代码")
# province code: counties, towns, communities (NBS 2023 orders of magnitude; they sum to
# about 2,800 / 38,000 / 610,000)
PROVINCES = {
    "11": (16, 343, 7100), "12": (16, 250, 5300), "13": (167, 2260, 50600),
    "14": (117, 1280, 28000), "15": (103, 1020, 14200), "21": (100, 1360, 16400),
    "22": (60, 950, 11300), "23": (121, 1300, 14300), "31": (16, 215, 6200),
    "32": (95, 1240, 21500), "33": (90, 1365, 25500), "34": (104, 1500, 17800),
    "35": (84, 1110, 17300), "36": (100, 1580, 21000), "37": (136, 1820, 69500),
    "41": (157, 2460, 52000), "42": (103, 1250, 27000), "43": (122, 1940, 29000),
    "44": (122, 1610, 26500), "45": (111, 1250, 16400), "46": (25, 220, 3500),
    "50": (38, 1030, 11200), "51": (183, 3100, 34500), "52": (88, 1520, 17500),
    "53": (129, 1420, 14600), "54": (74, 690, 5700), "61": (107, 1310, 19000),
    "62": (86, 1360, 17400), "63": (44, 400, 4600), "64": (22, 240, 2800),
    "65": (106, 1160, 13500),
}
# prefecture-level cities without counties: (province, prefecture, county part, name,
# towns, communities); the county part is 00 but for Jiayuguan, whose real list codes its
# one county-level unit 620201 (1 + 5 towns and streets + 47 communities: its 53 rows)
CITIES_WITHOUT_COUNTIES = (("44", 19, 0, "东莞市", 32, 640), ("44", 20, 0, "中山市", 23, 460),
                           ("46", 4, 0, "儋州市", 17, 340), ("62", 2, 1, "嘉峪关市", 5, 47))
COUNTY_LABELS = ("市辖区", "市辖区", "县", "县", "县级市", "自治县", "旗")
_SYLLABLES = ("东", "西", "南", "北", "山", "河", "湖", "桥", "新", "安", "和", "平", "兴", "华",
              "青", "石", "林", "云", "清", "泉", "溪", "塘", "岭", "坞", "宁", "康", "丰", "乐")


def _name(rng, length=2):
    return "".join(rng.choice(_SYLLABLES) for _ in range(length))


def _spread(total, buckets, rng, most=None):
    """``total`` split over ``buckets``, each at least 1 (and at most ``most``), unevenly."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(buckets)]
    scale = (total - buckets) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    if most:
        counts = [min(c, most) for c in counts]
    for i in range(max(0, total - sum(counts))):
        j = i % buckets
        if not most or counts[j] < most:
            counts[j] += 1
    return counts


def _town_numbers(towns):
    """(number, label) of ``towns`` towns: streets 001-099, towns 100-199, townships 200-."""
    streets = min(99, max(1, towns // 3))
    middle = min(100, (towns - streets) * 2 // 3)
    for t in range(towns):
        if t < streets:
            yield 1 + t, "街道"
        elif t < streets + middle:
            yield 100 + t - streets, "镇"
        else:
            yield 200 + t - streets - middle, "乡"


def _code(province, prefecture=0, county=0, town=0, unit=0):
    """The 12-digit code of a generated unit from the numbers of its parts."""
    return f"{province:02d}{prefecture:02d}{county:02d}{town:03d}{unit:03d}"


def _towns_and_communities(rng, place, towns, communities):
    """Rows of ``towns`` towns under the county ``place`` (province, prefecture, county
    numbers) and their communities."""
    per_town = _spread(max(communities, towns), towns, rng, most=399)
    for (number, label), count in zip(_town_numbers(towns), per_town, strict=True):
        yield (_code(*place, number), f"{_name(rng)}{label}", label, "")
        residents = min(199, count if label == "街道" else max(1, count // 8))
        for n in range(1, residents + 1):
            yield (_code(*place, number, n), f"{_name(rng, 3)}社区",
                   rng.choice(("居委会", "社区", "社区")), rng.choice(("111", "112", "121")))
        for n in range(200, 200 + min(200, count - residents)):
            yield (_code(*place, number, n), f"{_name(rng, 3)}村", "村委会",
                   rng.choice(("210", "220")))


def national_units(scale=1.0, seed=13, cities_without_counties=True):
    """Rows ``(code, name, kind label, urban_rural_code)``, province by province."""
    rng = random.Random(seed)
    special = {(p, c): rest for p, c, *rest in CITIES_WITHOUT_COUNTIES
               if cities_without_counties}
    for province, (counties, towns, communities) in PROVINCES.items():
        counties = max(1, round(counties * scale))
        towns, communities = max(counties, round(towns * scale)), round(communities * scale)
        prefectures = max(1, counties // 9)
        taken = {c for p, c in special if p == province}
        numbers = [n for n in range(1, 99) if n not in taken][:prefectures]
        per_county_towns = _spread(towns, counties, rng, most=399)
        per_county_communities = _spread(communities, counties, rng)
        county_sizes = iter(zip(per_county_towns, per_county_communities, strict=True))
        for prefecture, count in zip(numbers, _spread(counties, len(numbers), rng),
                                     strict=True):
            for c in range(1, min(count, 98) + 1):
                place = (int(province), prefecture, c)
                label = COUNTY_LABELS[0] if c == 1 else rng.choice(COUNTY_LABELS)
                yield (_code(*place), f"{_name(rng)}{label[-1]}", label, "")
                t, n = next(county_sizes, (10, 150))
                yield from _towns_and_communities(rng, place, min(t, 398), n)
        for (p, prefecture), (county, name, t, n) in special.items():
            if p == province:
                # the city stands as a county (part 00), or codes its one county (620201)
                place = (int(province), prefecture, county)
                yield (_code(*place), name, "市", "")
                yield from _towns_and_communities(rng, place, max(1, round(t * scale)),
                                                  max(1, round(n * scale)))


def with_quirks(rows, seed=13):
    """The rows as an office writes them: repeats, some children before their parents,
    padded names, blank lines; one row at a time (a small window is shuffled)."""
    rng = random.Random(seed)
    window, recent = [], []
    for row in rows:
        window.append(row)
        if len(window) < 64:
            continue
        if rng.random() < 0.3:  # a row leaves early: a child may pass its parent
            i, j = rng.randrange(len(window)), rng.randrange(len(window))
            window[i], window[j] = window[j], window[i]
        yield from _written(rng, window.pop(0), recent)
    for row in window:
        yield from _written(rng, row, recent)


def _written(rng, row, recent):
    code, name, label, urban_rural = row
    roll = rng.random()
    if roll < 0.01:
        name = f" {name}\u3000"
    elif roll < 0.015:
        yield ("", "", "", "")
    elif roll < 0.017 and recent:
        yield rng.choice(recent)  # the same unit again, as a pasted block repeats it
    recent.append((code, name, label, urban_rural))
    del recent[:-200]
    yield (code, name, label, urban_rural)


def write_csv(path, rows, encoding="gbk"):
    """``rows`` as a CSV with Chinese headers and CRLF, in ``encoding``; returns the count
    of data rows written (blank lines not counted)."""
    written = 0
    with open(path, "w", encoding=encoding, newline="") as out:
        out.write(",".join(HEADER) + "\r\n")
        for row in rows:
            out.write(",".join(row) + "\r\n")
            written += any(row)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="a fraction of the country's size (0.05: about 32,000 rows)")
    args = parser.parse_args()
    print(write_csv(args.path, with_quirks(national_units(args.scale))), "rows")


if __name__ == "__main__":
    main()
