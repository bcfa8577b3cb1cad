import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ConsoleOutput } from "../../src/io/output.js";
import { formatTable } from "../../src/io/table.js";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

function output(options: { json?: boolean; interactive?: boolean; color?: boolean } = {}) {
  const stdout = capture();
  const stderr = capture();
  const out = new ConsoleOutput({
    json: options.json ?? false,
    interactive: options.interactive ?? false,
    color: options.color ?? false,
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { out, stdout, stderr };
}

describe("ConsoleOutput", () => {
  it("off a terminal, prints each progress line once, in order, on stderr", () => {
    const { out, stdout, stderr } = output();
    const live = out.live();
    live.update(["a CREATE_IN_PROGRESS"]);
    live.update(["a CREATE_IN_PROGRESS", "a CREATE_COMPLETE"]);
    live.close();
    expect(stderr.text()).toBe("    a CREATE_IN_PROGRESS\n    a CREATE_COMPLETE\n");
    expect(stdout.text()).toBe("");
  });

  it("on a terminal, redraws the block in place", () => {
    const { out, stderr } = output({ interactive: true });
    const live = out.live();
    live.update(["one", "two"]);
    live.update(["one!"]);
    expect(stderr.text()).toContain("\u001b[2A");
    expect(stderr.text().endsWith("\u001b[1A")).toBe(true);
  });

  it("on a terminal, a line printed while a block is redrawn goes above the block instead of being overwritten", () => {
    const { out, stderr } = output({ interactive: true });
    out.info("before");
    const live = out.live();
    live.update(["Waiting: 0:05"]);
    out.info("Started execution e-1");
    live.update(["Waiting: 0:10"]);
    live.close();
    out.info("after");
    expect(screen(stderr.text())).toEqual(["    before", "    Started execution e-1", "Waiting: 0:10", "    after"]);
  });

  it("in JSON mode, the result is the only thing on stdout", () => {
    const { out, stdout, stderr } = output({ json: true });
    out.step("Deploying");
    out.result({ endpoint: "ep-a-prod" }, () => "human text");
    expect(JSON.parse(stdout.text())).toEqual({ endpoint: "ep-a-prod" });
    expect(stderr.text()).toContain("Deploying");
  });

  it("without colour, writes no escape codes; errors carry their hint", () => {
    const { out, stderr } = output();
    out.warn("careful");
    out.error("it failed", "run it again");
    expect(stderr.text()).not.toContain("\u001b[");
    expect(stderr.text()).toBe("! careful\n✖ it failed\n  run it again\n");
  });

  it("never asks when no one can answer", async () => {
    const { out } = output();
    expect(await out.confirm("Delete?")).toBe(false);
  });
});

describe("formatTable", () => {
  it("aligns columns and trims trailing space", () => {
    expect(
      formatTable(
        ["A", "LONGER"],
        [
          ["xyz", "1"],
          ["x", ""],
        ],
      ),
    ).toBe("A    LONGER\nxyz  1\nx");
  });
});

/** What a terminal shows after `text`: handles newlines, cursor up (ESC[nA), clear line (ESC[2K) and clear below (ESC[0J). */
function screen(text: string): string[] {
  const rows: string[] = [""];
  let row = 0;
  for (let i = 0; i < text.length; i++) {
    // eslint-disable-next-line no-control-regex -- the escape character starts each terminal control sequence read here.
    const escape = /^\u001b\[(\d*)([AKJ])/.exec(text.slice(i));
    if (escape) {
      const n = Number(escape[1] || "0");
      if (escape[2] === "A") row = Math.max(0, row - n);
      if (escape[2] === "K") rows[row] = "";
      if (escape[2] === "J") {
        rows.splice(row + 1);
        rows[row] = "";
      }
      i += escape[0].length - 1;
    } else if (text[i] === "\n") {
      row++;
      if (rows[row] === undefined) rows[row] = "";
    } else {
      rows[row] = (rows[row] ?? "") + text[i];
    }
  }
  return rows.slice(0, rows.length - (rows.at(-1) === "" ? 1 : 0));
}
