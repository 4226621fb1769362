"""Unit lists the size of a real province, or of the whole country, as offices send them.

A province by default is the size of Zhejiang's list: 90 counties, 1,387 towns and
streets, 25,546 villages and communities (27,023 rows), under 11 prefectures. Codes
follow the NBS numbering (streets carry residents' committees 001-199, towns mostly
villages 200-399); names are Chinese; the CSV is GBK with Chinese headers (统计用区划代码,
名称, 城乡分类代码) and the quirks real lists have: rows not in parent-first order, names
padded with spaces (ASCII and full-width), 居委会 instead of 社区, blank lines, CRLF.
A national list is 24 such provinces (about 650,000 rows).

Shared by the benchmarks and the tests (``from bench.province import province_units``);
``python bench/province.py out.csv [--national]`` writes one.
"""
import argparse
import random

from fazhi_common import division

PROVINCES = ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
             "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
             "61", "62", "63", "64", "65")
_SYLLABLES = ("东", "西", "南", "北", "山", "河", "湖", "桥", "新", "安", "和", "平", "兴", "华",
              "青", "石", "林", "云", "清", "泉", "溪", "塘", "岭", "坞", "宁", "康", "丰", "乐")
HEADER = ("统计用区划代码", "名称", "城乡分类代码")


def _name(rng, length=2):
    return "".join(rng.choice(_SYLLABLES) for _ in range(length))


def _spread(total, buckets, rng):
    """``total`` split over ``buckets``, each at least 1, unevenly (as real areas are)."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(buckets)]
    scale = (total - buckets) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % buckets] += 1
    return counts


def province_units(province="33", counties=90, towns=1387, communities=25546, seed=13,
                   prefectures=11):
    """Rows ``(code, name, urban_rural_code)``: counties, towns, then communities.

    Towns are at most 199 streets or towns per county and a town holds at most 199
    communities and 200 villages, so the sizes must stay within those bounds.
    """
    rng = random.Random(seed)
    rows = []
    county_codes = []
    per_prefecture = _spread(counties, prefectures, rng)
    for p, count in enumerate(per_prefecture, start=1):
        for c in range(1, count + 1):
            code = division.province(province).child(p).child(c + 1)
            suffix = rng.choice(("区", "县", "市")) if c > 1 else "区"
            rows.append((code, f"{_name(rng)}{suffix}", ""))
            county_codes.append(code)
    town_codes = []
    for county, count in zip(county_codes, _spread(towns, len(county_codes), rng), strict=True):
        for t in range(1, count + 1):
            street = t <= count // 3
            code = county.child(t)
            rows.append((code, f"{_name(rng)}{'街道' if street else rng.choice('镇乡')}", ""))
            town_codes.append((code, street))
    for (town, street), count in zip(town_codes, _spread(communities, len(town_codes), rng),
                                     strict=True):
        for n in range(1, count + 1):
            if street or n <= count // 10:  # streets: communities; towns: a few, then villages
                number, urban_rural = n, rng.choice(("111", "112", "121"))
                label = rng.choice(("社区", "社区", "社区", "居委会"))
            else:
                number, urban_rural, label = 199 + n, rng.choice(("210", "220")), "村"
            rows.append((town.child(number), f"{_name(rng, 3)}{label}",
                         urban_rural))
    return rows


def national_units(provinces=24, seed=13, **sizes):
    """A national-size list: ``provinces`` province-size lists, one after another."""
    for i, province in enumerate(PROVINCES[:provinces]):
        yield from province_units(province, seed=seed + i, **sizes)


def with_quirks(rows, seed=13):
    """The rows as an office writes them: shuffled in places, padded, blank lines."""
    rng = random.Random(seed)
    rows = list(rows)
    for _ in range(len(rows) // 50):  # some children come before their parents
        i, j = rng.randrange(len(rows)), rng.randrange(len(rows))
        rows[i], rows[j] = rows[j], rows[i]
    for code, name, urban_rural in rows:
        roll = rng.random()
        if roll < 0.02:
            name = f" {name}\u3000"
        elif roll < 0.03:
            yield ("", "", "")
        yield (code, name, urban_rural)


def write_csv(path, rows, encoding="gbk"):
    """``rows`` as a CSV with Chinese headers, CRLF, in ``encoding``; written as it goes."""
    with open(path, "w", encoding=encoding, newline="") as out:
        out.write(",".join(HEADER) + "\r\n")
        for row in rows:
            out.write(",".join(row) + "\r\n")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--national", action="store_true")
    args = parser.parse_args()
    write_csv(args.path, with_quirks(national_units() if args.national else province_units()))
