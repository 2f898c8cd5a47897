"""Reads workbooks with openpyxl: see xlsx-rows."""
import json
import sys

import openpyxl


def sheet(ws):
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    types = sorted({c.data_type for r in ws.iter_rows() for c in r if c.value is not None})
    header = [c for c in next(ws.iter_rows(max_row=1), ()) if c.value is not None]
    return {
        "title": ws.title,
        "freeze": ws.freeze_panes,
        "rows": rows,
        "types": types,
        "bold_header": bool(header) and all(c.font.b for c in header),
        "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.customWidth},
    }


def main():
    out = []
    for path in sys.argv[1:]:
        try:
            wb = openpyxl.load_workbook(path)
            out.append({"file": path, "sheets": [sheet(ws) for ws in wb.worksheets]})
        except Exception as e:  # report it, go on
            out.append({"file": path, "error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
