#!/usr/bin/env python3
"""Builds the fuzzers' seed corpora (fuzz/corpus/<target>/) from fixtures/ and ../shared/corpus.

archive: every .xmind file as it is. content: the content.json / content.xml entry of each, as
the `content` target expects it (a first byte picking the flavour, then the text after its first
character). Also adds every crash-regression input from fuzz/regressions/.
"""
import glob
import hashlib
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def put(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


maps = sorted(glob.glob(os.path.join(ROOT, "fixtures", "*.xmind")) +
              glob.glob(os.path.join(ROOT, "..", "shared", "corpus", "*.xmind")))
for path in maps:
    data = open(path, "rb").read()
    if len(data) <= 1 << 20:
        put("archive", data)
    try:
        z = zipfile.ZipFile(path)
    except Exception:
        continue
    for name in z.namelist():
        base = name.rsplit("/", 1)[-1]
        if base in ("content.json", "content.xml"):
            text = z.read(name)
            if text.startswith(b"\xef\xbb\xbf"):
                text = text[3:]
            pick = b"\x00" if base == "content.json" else b"\x01"
            put("content", pick + text[1:])
for path in glob.glob(os.path.join(HERE, "regressions", "*", "*")):
    put(os.path.basename(os.path.dirname(path)), open(path, "rb").read())
print("seeds:", {t: len(os.listdir(os.path.join(HERE, "corpus", t))) for t in ("archive", "content")})
