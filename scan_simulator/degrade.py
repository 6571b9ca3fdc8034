"""Seeded degradations that turn a clean render into what reception desks really scan.

Each primitive takes a PIL image (and a `numpy.random.Generator` when it is
random) and returns a new image, so they compose freely. `make_scan` combines
them into named kinds (office scan, photocopy, phone photo, fax...) and says
which dpi the result should be saved with, because a wrong or missing dpi is
itself one of the things the OCR pipeline must cope with.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from scan_simulator.content import COMMUNES
from scan_simulator.render import FONT_FILES

Dpi = tuple[int, int]
KINDS: tuple[str, ...] = ("clean", "office", "photocopy", "colour", "photo", "fax", "rotated",
                          "photocopy-200dpi")
# The file format a kind is usually delivered in; tesseract reads all of them directly.
KIND_FORMATS: dict[str, str] = {
    "clean": ".png", "office": ".png", "photocopy": ".jpg", "colour": ".jpg",
    "photo": ".jpg", "fax": ".tif", "rotated": ".png", "photocopy-200dpi": ".jpg",
}
SEAL_RED = (205, 32, 42)
STAMP_BLUE = (38, 62, 170)
PAPER_TINTS = ((250, 242, 205), (250, 228, 232), (226, 236, 250), (228, 246, 226),
               (246, 238, 222))
FIXED_DATE = time.strptime("2025-01-01", "%Y-%m-%d")
DESKS = ((92, 62, 40), (58, 58, 64), (128, 104, 80), (40, 44, 52), (150, 140, 128))


class Scan(NamedTuple):
    """A degraded page, the dpi to record when saving it (None: unknown) and what was done."""

    image: Image.Image
    dpi: Dpi | None
    params: dict[str, Any]


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _array(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB") if img.mode not in ("L", "RGB") else img)


def _image(arr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def paper_colour(img: Image.Image) -> tuple[int, ...]:
    """Median colour of the outer 1% border: what to fill uncovered corners with."""
    a = _array(img)
    b = max(2, min(a.shape[:2]) // 100)
    edge = np.concatenate([a[:b].reshape(-1, *a.shape[2:]), a[-b:].reshape(-1, *a.shape[2:]),
                           a[:, :b].reshape(-1, *a.shape[2:]), a[:, -b:].reshape(-1, *a.shape[2:])])
    med = np.median(edge, axis=0)
    return tuple(int(v) for v in np.atleast_1d(med))


# ---------------------------------------------------------------- primitives


def grey(img: Image.Image) -> Image.Image:
    """8-bit greyscale, as most office scanners deliver documents."""
    return img.convert("L")


def skew(img: Image.Image, degrees: float) -> Image.Image:
    """Rotate the content by `degrees` (counter-clockwise) inside the same frame, paper-filled."""
    a = _array(img)
    h, w = a.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    fill = paper_colour(img)
    out = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=fill if len(fill) > 1 else fill[0])
    return _image(out)


def random_skew(img: Image.Image, rng: np.random.Generator, lo: float = 0.5,
                hi: float = 4.0) -> tuple[Image.Image, float]:
    """Skew by a random angle with |angle| in [lo, hi]; returns the angle too."""
    angle = float(rng.uniform(lo, hi) * rng.choice((-1, 1)))
    return skew(img, angle), angle


def blur(img: Image.Image, sigma: float) -> Image.Image:
    """Gaussian blur: defocus, scanner optics or a photocopy generation."""
    if sigma <= 0:
        return img.copy()
    return _image(cv2.GaussianBlur(_array(img), (0, 0), sigma))


def gaussian_noise(img: Image.Image, rng: np.random.Generator, sigma: float) -> Image.Image:
    """Additive sensor noise."""
    a = _array(img).astype(np.float32)
    return _image(a + rng.normal(0, sigma, a.shape).astype(np.float32))


def speckle(img: Image.Image, rng: np.random.Generator, density: float = 3e-4,
            max_radius: int = 2) -> Image.Image:
    """Salt-and-pepper: dark toner dots and a few white drop-outs, as on photocopies."""
    a = _array(img).copy()
    h, w = a.shape[:2]
    n = int(h * w * density)
    ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
    dark = rng.random(n) < 0.8
    radii = rng.integers(0, max_radius + 1, n)
    for y, x, d, r in zip(ys, xs, dark, radii, strict=True):
        value = int(rng.integers(10, 70)) if d else 255
        colour = (value,) * 3 if a.ndim == 3 else value
        if r == 0:
            a[y, x] = value
        else:
            cv2.circle(a, (int(x), int(y)), int(r), colour, -1)
    return _image(a)


def resample(img: Image.Image, src_dpi: float, dst_dpi: float | Dpi) -> Image.Image:
    """Change resolution (e.g. 300 → 200 dpi, or 300 → 200×100 for fax) by area averaging."""
    dx, dy = dst_dpi if isinstance(dst_dpi, tuple) else (dst_dpi, dst_dpi)
    w, h = img.size
    size = (max(1, round(w * dx / src_dpi)), max(1, round(h * dy / src_dpi)))
    return _image(cv2.resize(_array(img), size, interpolation=cv2.INTER_AREA))


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    """Round-trip through JPEG to bake in block and ringing artefacts."""
    buf = io.BytesIO()
    img.convert("RGB" if img.mode not in ("L", "RGB") else img.mode).save(
        buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).copy()


def _light_field(h: int, w: int, rng: np.random.Generator, strength: float) -> np.ndarray:
    """A smooth multiplicative light map: one-sided gradient, vignette and a soft shadow."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    yy, xx = yy / h - 0.5, xx / w - 0.5
    theta = rng.uniform(0, 2 * math.pi)
    gradient = (xx * math.cos(theta) + yy * math.sin(theta)) * strength
    vignette = (xx**2 + yy**2) * strength * 1.2
    cx, cy = rng.uniform(-0.5, 0.5, 2)
    shadow = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 0.05) * strength * rng.uniform(0.2, 1.0)
    return (1.0 - gradient - vignette - shadow).clip(0.3, 1.1)


def uneven_lighting(img: Image.Image, rng: np.random.Generator,
                    strength: float = 0.3) -> Image.Image:
    """Darken parts of the page smoothly: a lamp on one side, vignetting, a hand's shadow."""
    a = _array(img).astype(np.float32)
    h, w = a.shape[:2]
    small = _light_field(max(8, h // 8), max(8, w // 8), rng, strength)
    field = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return _image(a * (field[..., None] if a.ndim == 3 else field))


def contrast_loss(img: Image.Image, black: int = 60, white: int = 230,
                  gamma: float = 1.0) -> Image.Image:
    """Squash the tone range: washed-out toner and greyish paper."""
    a = _array(img).astype(np.float32) / 255.0
    return _image(black + (white - black) * a**gamma)


def tint_paper(img: Image.Image, rng: np.random.Generator,
               tint: tuple[int, int, int] | None = None) -> Image.Image:
    """Coloured or aged paper: multiply by a pale tint with faint low-frequency fibre."""
    a = _array(img.convert("RGB")).astype(np.float32)
    h, w = a.shape[:2]
    colour = np.array(tint or PAPER_TINTS[int(rng.integers(len(PAPER_TINTS)))], np.float32)
    fibre = cv2.resize(rng.normal(0, 1, (h // 32 + 1, w // 32 + 1)).astype(np.float32), (w, h))
    paper = colour[None, None, :] * (1 + 0.015 * fibre[..., None])
    return _image(a * paper / 255.0)


def quarter_turn(img: Image.Image, degrees: int) -> Image.Image:
    """Turn the whole page clockwise by 90, 180 or 270 (fed into the scanner sideways)."""
    ops = {0: None, 90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
           270: Image.Transpose.ROTATE_90}
    if degrees not in ops:
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {degrees}")
    op = ops[degrees]
    return img.copy() if op is None else img.transpose(op)


def binarise(img: Image.Image, threshold: int = 150) -> Image.Image:
    """1-bit black and white, as fax machines and cheap sheet-feeders send."""
    return grey(img).point(lambda v: 255 if v >= threshold else 0).convert("1", dither=None)


def fax(img: Image.Image, rng: np.random.Generator, src_dpi: int = 300) -> Image.Image:
    """Standard-resolution fax: 200×100 dpi (half vertical resolution), 1-bit, a little noisy."""
    low = resample(grey(img), src_dpi, (200, 100))
    low = gaussian_noise(low, rng, 12)
    return binarise(low, int(rng.integers(135, 170)))


# ---------------------------------------------------------------- stamps


def _bold_font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILES["NotoSerif"]["bold"]), max(6, px))


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.4
        ang = -math.pi / 2 + i * math.pi / 5
        points.append((cx + rad * math.cos(ang), cy + rad * math.sin(ang)))
    return points


def _ring_text(layer: Image.Image, text: str, centre: float, radius: float, px: int) -> None:
    """Write `text` clockwise around a circle, letters upright towards the centre."""
    font = _bold_font(px)
    advances = [font.getlength(ch) * 1.05 for ch in text]
    total = sum(advances) / radius  # radians
    angle = -math.pi / 2 - total / 2
    for ch, adv in zip(text, advances, strict=True):
        mid = angle + adv / radius / 2
        angle += adv / radius
        if ch == " ":
            continue
        glyph = Image.new("L", (px * 2, px * 2), 0)
        ImageDraw.Draw(glyph).text((px, px), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid) - 90, resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.cos(mid) - px
        y = centre + radius * math.sin(mid) - px
        layer.paste(255, (round(x), round(y)), glyph)


def seal_mask(diameter: int, text: str, rng: np.random.Generator) -> np.ndarray:
    """Alpha mask (0..1) of a round official seal: two rings, text around, a star in the middle."""
    d = diameter
    layer = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(layer)
    c, r = d / 2, d / 2 - 2
    draw.ellipse((c - r, c - r, c + r, c + r), outline=255, width=max(3, d // 45))
    r_in = r * 0.66
    draw.ellipse((c - r_in, c - r_in, c + r_in, c + r_in), outline=255, width=max(2, d // 90))
    _ring_text(layer, text, c, (r + r_in) / 2 - d * 0.045, max(8, round(d * 0.1)))
    draw.polygon(_star(c, c, r_in * 0.6), fill=255)
    alpha = np.asarray(layer, np.float32) / 255.0
    return _inky(alpha, rng)


def _inky(alpha: np.ndarray, rng: np.random.Generator, max_angle: float = 35) -> np.ndarray:
    """Uneven stamp ink: blotchy density, slight spread, rotated at random."""
    h, w = alpha.shape
    blotch = cv2.resize(rng.uniform(0.45, 1.0, (h // 12 + 2, w // 12 + 2)).astype(np.float32),
                        (w, h), interpolation=cv2.INTER_CUBIC)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 1.0) * blotch.clip(0, 1)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-max_angle, max_angle)), 1.0)
    return cv2.warpAffine(alpha, m, (w, h)).clip(0, 0.92)


def _multiply_ink(img: Image.Image, alpha: np.ndarray, colour: tuple[int, int, int],
                  x0: int, y0: int) -> Image.Image:
    """Ink over paper multiplies: black print under a red seal stays black."""
    a = _array(img.convert("RGB")).astype(np.float32)
    h, w = alpha.shape
    H, W = a.shape[:2]
    xs, ys = max(0, x0), max(0, y0)
    xe, ye = min(W, x0 + w), min(H, y0 + h)
    if xe <= xs or ye <= ys:
        return img.convert("RGB")
    al = alpha[ys - y0:ye - y0, xs - x0:xe - x0, None]
    ink = np.array(colour, np.float32)[None, None, :] / 255.0
    a[ys:ye, xs:xe] *= (1 - al) + al * ink
    return _image(a)


def _signature_anchor(img: Image.Image) -> tuple[int, int]:
    """Where the signature block is: centre of the lowest ink in the right half of the page."""
    g = np.asarray(grey(img))
    h, w = g.shape
    ink = g[:, w // 2:] < 140
    rows = np.flatnonzero(ink.sum(axis=1) > 2)
    if rows.size == 0:
        return int(w * 0.7), int(h * 0.75)
    bottom = int(rows[-1])
    cols = np.flatnonzero(ink[max(0, bottom - h // 12):bottom + 1].any(axis=0))
    cx = w // 2 + int(cols.mean()) if cols.size else int(w * 0.7)
    return cx, bottom


def red_seal(img: Image.Image, rng: np.random.Generator, text: str | None = None,
             centre: tuple[int, int] | None = None) -> Image.Image:
    """Stamp a red "ỦY BAN NHÂN DÂN" seal over the left part of the signature and some text."""
    w = img.size[0]
    d = round(w * rng.uniform(0.15, 0.18))
    if text is None:
        commune = COMMUNES[int(rng.integers(len(COMMUNES)))].upper()
        text = f"ỦY BAN NHÂN DÂN • {commune} •"
    mask = seal_mask(d, text, rng)
    if centre is None:
        sx, sy = _signature_anchor(img)
        centre = (sx - round(d * rng.uniform(0.25, 0.45)), sy - round(d * rng.uniform(0.5, 0.7)))
    return _multiply_ink(img, mask, SEAL_RED, centre[0] - d // 2, centre[1] - d // 2)


def blue_stamp(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A rectangular "received" stamp in blue ink in the top-left margin, as desks apply."""
    w = img.size[0]
    sw, sh = round(w * 0.27), round(w * 0.08)
    layer = Image.new("L", (sw, sh), 0)
    draw = ImageDraw.Draw(layer)
    draw.rectangle((2, 2, sw - 3, sh - 3), outline=255, width=max(3, sw // 120))
    px = round(sh * 0.22)
    font = _bold_font(px)
    number = int(rng.integers(1, 999))
    day, month = int(rng.integers(1, 29)), int(rng.integers(1, 13))
    draw.text((sw / 2, sh * 0.33), "BỘ PHẬN MỘT CỬA", font=font, fill=255, anchor="mm")
    draw.text((sw / 2, sh * 0.7), f"ĐẾN Số: {number}  Ngày: {day:02d}/{month:02d}", font=font,
              fill=255, anchor="mm")
    pad = sw // 6
    alpha = np.pad(np.asarray(layer, np.float32) / 255.0, pad)
    alpha = _inky(alpha, rng, max_angle=6)
    x0 = round(w * rng.uniform(0.02, 0.08)) - pad
    y0 = round(w * rng.uniform(0.01, 0.03)) - pad
    return _multiply_ink(img, alpha * 0.85, STAMP_BLUE, x0, y0)


# ---------------------------------------------------------------- phone photo


def _desk(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A darker desk surface with wood-like streaks and grain."""
    base = np.array(DESKS[int(rng.integers(len(DESKS)))], np.float32)
    streaks = cv2.resize(rng.normal(0, 1, (h // 64 + 2, 4)).astype(np.float32), (w, h),
                         interpolation=cv2.INTER_CUBIC)
    grain = rng.normal(0, 1, (h // 4 + 1, w // 4 + 1)).astype(np.float32)
    grain = cv2.resize(grain, (w, h), interpolation=cv2.INTER_LINEAR)
    return base[None, None, :] * (1 + 0.06 * streaks[..., None] + 0.03 * grain[..., None])


def _page_quad(page_w: float, page_h: float, frame: tuple[int, int],
               rng: np.random.Generator) -> np.ndarray:
    """Where the page corners land: centred, tilted a little, keystoned like a handheld shot."""
    fw, fh = frame
    cx, cy = fw / 2 + rng.uniform(-0.04, 0.04) * fw, fh / 2 + rng.uniform(-0.03, 0.03) * fh
    keystone = rng.uniform(0.02, 0.12) * page_w
    corners = np.array([[-page_w / 2 + keystone / 2, -page_h / 2],
                        [page_w / 2 - keystone / 2, -page_h / 2],
                        [page_w / 2, page_h / 2], [-page_w / 2, page_h / 2]], np.float32)
    corners += rng.uniform(-0.015, 0.015, corners.shape).astype(np.float32) * page_w
    t = math.radians(rng.uniform(-6, 6))
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], np.float32)
    return corners @ rot.T + np.array([cx, cy], np.float32)


def photograph(img: Image.Image, rng: np.random.Generator,
               page_width: tuple[int, int] = (2000, 2500)) -> tuple[Image.Image, dict[str, Any]]:
    """The page photographed on a desk: perspective, background, shadow and warm light."""
    src = _array(img.convert("RGB")).astype(np.float32)
    h, w = src.shape[:2]
    pw = float(rng.uniform(*page_width))
    ph = pw * h / w
    fw = round(pw / rng.uniform(0.74, 0.84))
    fh = max(round(fw * 4 / 3), round(ph * 1.12))
    quad = _page_quad(pw, ph, (fw, fh), rng)
    src_quad = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(src_quad, quad)
    warped = cv2.warpPerspective(src, m, (fw, fh), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), m, (fw, fh))
    shadow = cv2.GaussianBlur(np.roll(mask, (12, 10), (0, 1)), (0, 0), 18)
    desk = _desk(fh, fw, rng) * (1 - 0.45 * shadow[..., None])
    out = warped * mask[..., None] + desk * (1 - mask[..., None])
    white_balance = np.array([1.0, rng.uniform(0.95, 0.99), rng.uniform(0.86, 0.95)], np.float32)
    return _image(out * white_balance), {"page_width_px": round(pw), "frame": (fw, fh)}


# ---------------------------------------------------------------- named kinds


def _clean(img: Image.Image, rng: np.random.Generator, dpi: int) -> Scan:
    return Scan(img.convert("RGB"), (dpi, dpi), {})


def _office(img: Image.Image, rng: np.random.Generator, dpi: int) -> Scan:
    out, angle = random_skew(grey(img), rng, 0.1, 0.6)
    out = blur(out, float(rng.uniform(0.3, 0.6)))
    out = gaussian_noise(out, rng, float(rng.uniform(2, 5)))
    return Scan(out, (dpi, dpi), {"skew": angle})


def _photocopy(img: Image.Image, rng: np.random.Generator, dpi: int) -> Scan:
    out, angle = random_skew(grey(img), rng, 0.5, 2.0)
    out = contrast_loss(out, int(rng.integers(40, 90)), int(rng.integers(205, 235)),
                        float(rng.uniform(0.8, 1.3)))
    out = uneven_lighting(out, rng, float(rng.uniform(0.05, 0.15)))
    out = blur(resample(out, dpi, 200), float(rng.uniform(0.5, 0.9)))
    out = speckle(out, rng, float(rng.uniform(1e-4, 4e-4)), 2)
    out = gaussian_noise(out, rng, float(rng.uniform(4, 8)))
    return Scan(out, (200, 200), {"skew": angle})


def _photocopy_200dpi(img: Image.Image, rng: np.random.Generator, dpi: int) -> Scan:
    """A decent 200-dpi office photocopy, milder than `photocopy`: the issue measured raw
    Tesseract at about 0.7 % CER on such copies, so this kind is calibrated to that."""
    out, angle = random_skew(grey(img), rng, 0.2, 1.0)
    out = contrast_loss(out, int(rng.integers(10, 30)), int(rng.integers(235, 250)),
                        float(rng.uniform(0.9, 1.1)))
    out = uneven_lighting(out, rng, float(rng.uniform(0.02, 0.06)))
    out = blur(resample(out, dpi, 200), float(rng.uniform(0.3, 0.5)))
    out = speckle(out, rng, float(rng.uniform(0.5e-5, 1.5e-5)), 1)
    out = gaussian_noise(out, rng, float(rng.uniform(2, 3)))
    return Scan(out, (200, 200), {"skew": angle})


def _colour(img: Image.Image, rng: np.random.Generator, dpi: int) -> Scan:
    out = tint_paper(img, rng)
    out = red_seal(out, rng)
    stamped = bool(rng.random() < 0.5)
    if stamped:
        out = blue_stamp(out, rng)
    out, angle = random_skew(out, rng, 0.1, 0.8)
    out = gaussian_noise(blur(out, 0.4), rng, float(rng.uniform(2, 4)))
    return Scan(out, (dpi, dpi), {"skew": angle, "blue_stamp": stamped})


def _photo(img: Image.Image, rng: np.random.Generator, dpi: int) -> Scan:
    out = contrast_loss(img, int(rng.integers(25, 60)), int(rng.integers(205, 240)))
    out, info = photograph(out, rng)
    out = uneven_lighting(out, rng, float(rng.uniform(0.3, 0.55)))
    out = blur(out, float(rng.uniform(1.0, 1.8)))
    out = gaussian_noise(out, rng, float(rng.uniform(4, 8)))
    return Scan(jpeg(out, int(rng.integers(75, 90))), None, info)


def _fax(img: Image.Image, rng: np.random.Generator, dpi: int) -> Scan:
    out, angle = random_skew(img, rng, 0.2, 1.2)
    return Scan(fax(out, rng, dpi), (200, 100), {"skew": angle})


def _rotated(img: Image.Image, rng: np.random.Generator, dpi: int) -> Scan:
    scan = _office(img, rng, dpi)
    turn = int(rng.choice((90, 180, 270)))
    return Scan(quarter_turn(scan.image, turn), scan.dpi, {**scan.params, "rotation": turn})


_KIND_FUNCS: dict[str, Callable[[Image.Image, np.random.Generator, int], Scan]] = {
    "clean": _clean, "office": _office, "photocopy": _photocopy, "colour": _colour,
    "photo": _photo, "fax": _fax, "rotated": _rotated, "photocopy-200dpi": _photocopy_200dpi,
}


def make_scan(img: Image.Image, kind: str, seed: int | np.random.Generator = 0,
              dpi: int = 300) -> Scan:
    """Degrade a clean render (made at `dpi`) the way one kind of intake paper looks.

    `params["rotation"]` (rotated kind) is the clockwise turn applied to the page;
    `params["skew"]` the counter-clockwise skew in degrees.
    """
    if kind not in _KIND_FUNCS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    scan = _KIND_FUNCS[kind](img, _rng(seed), dpi)
    return Scan(scan.image, scan.dpi, {"kind": kind, **scan.params})


# ---------------------------------------------------------------- saving


def save(image: Image.Image | Sequence[Image.Image], path: str | Path, dpi: Dpi | None,
         quality: int = 80) -> Path:
    """Write PNG, TIFF (G4 when 1-bit, multi-page when given a list), JPEG or PDF with dpi.

    `dpi=None` leaves the resolution unrecorded, as phone photos effectively do
    (PDFs then get 300 dpi so the page has a sane size). PDF dates are fixed so that
    the same image always gives the same bytes.
    """
    path = Path(path)
    images = [image] if isinstance(image, Image.Image) else list(image)
    if not images:
        raise ValueError("no image to save")
    first, rest = images[0], images[1:]
    suffix = path.suffix.lower()
    kw: dict[str, Any] = {"dpi": dpi} if dpi else {}
    if rest:
        kw.update(save_all=True, append_images=rest)
    if suffix in (".tif", ".tiff"):
        kw["compression"] = "group4" if first.mode == "1" else "tiff_lzw"
        first.save(path, "TIFF", **kw)
    elif suffix in (".jpg", ".jpeg"):
        if rest:
            raise ValueError("JPEG holds one page")
        first.convert("L" if first.mode in ("1", "L") else "RGB").save(
            path, "JPEG", quality=quality, **kw)
    elif suffix == ".png":
        if rest:
            raise ValueError("PNG holds one page")
        first.save(path, "PNG", optimize=True, **kw)
    elif suffix == ".pdf":
        kw.setdefault("dpi", (300, 300))
        kw.update(creationDate=FIXED_DATE, modDate=FIXED_DATE, producer="hoso scan_simulator")
        first.save(path, "PDF", quality=quality, **kw)
    else:
        raise ValueError(f"unsupported format {suffix!r}")
    return path
