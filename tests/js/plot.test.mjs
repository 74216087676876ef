// The view's DOM writes (plot.js), on stand-in nodes with the DOM's text semantics: Texts
// leaves each node showing exactly what textContent would, writes only what changed, and
// rewrites a node's one text node in place rather than replacing it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Texts, setVisible } from "../../ui/components/threshold_explorer/plot.js";

/** An element with textContent as the DOM has it: setting it replaces every child by one text node ("" by none). */
class FakeElement {
  constructor(text = null) {
    this.childNodes = text === null ? [] : [{ data: text }];
    this.replaced = 0; // how many times textContent was set
    this.attributes = new Map();
    this.attributeWrites = 0;
  }
  get firstChild() {
    return this.childNodes[0] ?? null;
  }
  get textContent() {
    return this.childNodes.map((child) => child.data).join("");
  }
  set textContent(value) {
    this.replaced++;
    this.childNodes = value === "" ? [] : [{ data: value }];
  }
  getAttribute(name) {
    return this.attributes.get(name) ?? null;
  }
  setAttribute(name, value) {
    this.attributeWrites++;
    this.attributes.set(name, value);
  }
}

test("Texts: each node shows what was last written, as textContent would, through its one text node", () => {
  const texts = new Texts();
  const node = new FakeElement("Precision vs recall"); // a text written when built
  const sequence = ["90.1%", "90.1%", "88.0%", "", "", "—", "91.5%"];
  for (const value of sequence) {
    texts.write(node, value);
    assert.equal(node.textContent, value);
    assert.ok(node.childNodes.length <= 1);
  }
  // textContent was set for the first text, for "" (no text node left) and for the text after
  // it; the other changes rewrote the text node in place; repeats wrote nothing.
  assert.equal(node.replaced, 3);
});

test("Texts: a node is written again after forget, even with the same text", () => {
  const texts = new Texts();
  const node = new FakeElement();
  texts.write(node, "3,370.02");
  const kept = node.firstChild;
  texts.write(node, "3,370.02");
  assert.equal(node.replaced, 1);
  texts.forget();
  texts.write(node, "3,370.02");
  assert.equal(node.replaced, 2);
  assert.notEqual(node.firstChild, kept);
  texts.write(node, "3,371.00");
  assert.equal(node.textContent, "3,371.00");
  assert.equal(node.replaced, 2);
});

test("setVisible writes the visibility attribute only when it changes", () => {
  const dot = new FakeElement();
  setVisible(dot, true);
  setVisible(dot, true);
  assert.equal(dot.getAttribute("visibility"), "visible");
  setVisible(dot, false);
  setVisible(dot, false);
  assert.equal(dot.getAttribute("visibility"), "hidden");
  assert.equal(dot.attributeWrites, 2);
});
