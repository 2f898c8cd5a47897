"""Runs xmind2testcase on maps, or reads TestLink XML files: see xmind2testcase-run."""
import json
import os
import shutil
import sys
import tempfile
import traceback
import xml.etree.ElementTree as ET

HACK_END = b"]]> <!-- -->"


def tree(elem):
    kids = [tree(c) for c in elem]
    text = "" if kids else (elem.text or "")
    if not text.strip():  # the indentation of an empty element (no field is ever blank)
        text = ""
    return [elem.tag, dict(elem.attrib), text, kids]


def xml_tree(data):
    return tree(ET.fromstring(data.replace(HACK_END, b"]]><!-- -->")))


def reads(path):
    """Whether the XMind SDK reads the map itself: it opens content.xml at the top of the
    archive and parses it with minidom, and silently makes a new, empty workbook when either
    fails."""
    import zipfile
    from xml.dom import minidom

    try:
        with zipfile.ZipFile(path) as z:
            minidom.parseString(z.read("content.xml"))
        return True
    except Exception:
        return False


def convert(path):
    from xmind2testcase.testlink import testsuites_to_xml_content
    from xmind2testcase.utils import get_xmind_testsuites
    from xmind2testcase.zentao import xmind_to_zentao_csv_file

    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "map.xmind")
        shutil.copyfile(path, copy)
        xml = testsuites_to_xml_content(get_xmind_testsuites(copy))
        csv_file = xmind_to_zentao_csv_file(copy)
        with open(csv_file, "rb") as f:
            zentao = f.read().decode("utf-8")
    return {"file": path, "reads": reads(path), "testlink": xml_tree(xml), "zentao": zentao}


def main():
    mode, files = sys.argv[1], sys.argv[2:]
    out = []
    for path in files:
        if mode == "tree":
            with open(path, "rb") as f:
                out.append(xml_tree(f.read()))
            continue
        try:
            out.append(convert(path))
        except Exception as e:  # the tool fails on this map: report it, go on
            last = traceback.extract_tb(e.__traceback__)[-1]
            out.append({"file": path, "error": f"{type(e).__name__}: {e} ({os.path.basename(last.filename)}:{last.lineno})"})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
