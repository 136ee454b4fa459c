"""Renders an HTML file in headless Chromium at a width and counts the cells of each colour.

    count_cells.py PAGE.html WIDTH OUT.png '#1a7f37' '#b35900' ...

A cell is a connected patch of exactly one of the given colours, at least MIN_AREA pixels (a
glyph's anti-aliased edge never is). Prints {"#1a7f37": 14, ...} and the page's height in pixels.
"""
import json, os, shutil, subprocess, sys, tempfile
from PIL import Image

MIN_AREA = 60

def render(page, width, out):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("chromium is not installed (scripts/setup installs it)")
    profile = tempfile.mkdtemp(prefix="kept-chromium-")
    try:
        args = [chromium, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--user-data-dir=" + profile, "--force-device-scale-factor=1",
                "--window-size=%d,6000" % width, "--screenshot=" + out, "file://" + os.path.abspath(page)]
        if os.getuid() == 0:
            args.insert(1, "--no-sandbox")
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        if r.returncode != 0 or not os.path.exists(out):
            sys.exit("chromium failed: " + r.stderr.decode(errors="replace")[-2000:])
    finally:
        shutil.rmtree(profile, ignore_errors=True)

def count(png, colours):
    img = Image.open(png).convert("RGB")
    w, h = img.size
    px = img.load()
    wanted = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)): c for c in colours}
    seen = bytearray(w * h)
    counts = {c: 0 for c in colours}
    lowest = 0
    for y in range(h):
        for x in range(w):
            if seen[y * w + x]:
                continue
            p = px[x, y]
            if p not in wanted:
                continue
            area, stack = 0, [(x, y)]
            seen[y * w + x] = 1
            while stack:
                cx, cy = stack.pop()
                area += 1
                for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                    if 0 <= nx < w and 0 <= ny < h and not seen[ny * w + nx] and px[nx, ny] == p:
                        seen[ny * w + nx] = 1
                        stack.append((nx, ny))
            if area >= MIN_AREA:
                counts[wanted[p]] += 1
                lowest = max(lowest, y)
    return counts, lowest

if __name__ == "__main__":
    page, width, out, colours = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    render(page, width, out)
    counts, lowest = count(out, colours)
    print(json.dumps({"counts": counts, "lowest": lowest, "width": Image.open(out).size[0]}))
