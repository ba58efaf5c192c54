#!/usr/bin/env python3
"""Writes a residents CSV in the import format (docs/api-people.md) for the
import benchmark: N plausible rows for one community's grids, valid and
distinct GB 11643 ID numbers and mobile phones, households of 1–4 people in
numbered buildings. Deterministic for a given seed.

  python3 bench/make_import_csv.py ROWS OUT.csv --grids CODE,CODE,… [--seed N]
"""
import argparse
import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰建国志强玲玲明丽华海晓燕国平伟芳娜敏静磊洋勇艳杰军涛超明霞刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳佳"
WEIGHTS = [7, 24, 47, 85, 86]  # cumulative weights of relation choices below
RELATIONS = ["配偶", "子女", "父母", "孙子女", "其他"]
# Outside Nantong, so the rows never collide with the demo data's ID numbers.
REGIONS = ["110105", "310104", "330106", "340104", "370102", "410105", "440305", "510107"]
CHECK = "10X98765432"
FACTORS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(rng, serial):
    year = rng.randint(1935, 2020)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    # The sequence code carries the serial so that numbers never repeat.
    body = f"{rng.choice(REGIONS)}{year:04d}{month:02d}{day:02d}{serial % 1000:03d}"
    total = sum(int(c) * f for c, f in zip(body, FACTORS))
    return body + CHECK[total % 11], f"{year:04d}-{month:02d}-{day:02d}", int(body[16]) % 2


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("rows", type=int)
    p.add_argument("out")
    p.add_argument("--grids", required=True, help="grid codes of the community, comma-separated")
    p.add_argument("--seed", type=int, default=11)
    args = p.parse_args()
    rng = random.Random(args.seed)
    grids = args.grids.split(",")
    seen = set()
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        f.write("姓名,性别,出生日期,身份证号,手机号,网格编码,楼幢,单元,楼层,房号,与户主关系,居住类型,标签,备注\r\n")
        row, household = 0, 0
        while row < args.rows:
            household += 1
            grid = grids[household % len(grids)]
            building = f"{household // 240 + 1}幢"
            unit = f"{household % 4 + 1}单元"
            floor = household % 18 + 1
            room = f"{floor}{household % 4 + 1:02d}"
            for member in range(min(rng.randint(1, 4), args.rows - row)):
                while True:
                    number, birth, odd = id_number(rng, rng.randrange(10**9))
                    if number not in seen:
                        seen.add(number)
                        break
                phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
                relation = "户主" if member == 0 else rng.choices(RELATIONS, cum_weights=WEIGHTS)[0]
                kind = rng.choices(["户籍", "常住", "流动"], cum_weights=[70, 88, 100])[0]
                f.write(f"{name},{'男' if odd else '女'},{birth},{number},{phone},{grid},{building},"
                        f"{unit},{floor},{room},{relation},{kind},,\r\n")
                row += 1


if __name__ == "__main__":
    main()
