#!/usr/bin/env python3
"""Exit 0 when a PNG (8-bit RGB or RGBA, as rsvg-convert writes) has enough pixels that differ from its
background (the top-left pixel); print the counts. Standard library only.
usage: png_not_blank.py FILE.png [MIN_FRACTION]"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                raise SystemExit(f"{path}: unsupported PNG (depth {depth}, colour type {color}, interlace {interlace})")
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw, stride, prev, rows = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # undo the row filter
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    path, min_fraction = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.01
    width, height, bpp, rows = pixels(path)
    background = bytes(rows[0][:bpp])
    differing = sum(1 for r in rows for x in range(width) if bytes(r[x * bpp:(x + 1) * bpp]) != background)
    fraction = differing / float(width * height)
    print(f"{path}: {width}x{height}, {differing} pixels differ from the background ({fraction:.3%})")
    sys.exit(0 if fraction >= min_fraction else 1)


if __name__ == "__main__":
    main()
