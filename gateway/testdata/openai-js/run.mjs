// Drives a gateway with the official openai npm client, unchanged: the way docs/api.md's
// Node.js example does. gateway/openai_node_test.go runs it and checks the JSON it prints.
//
//   GATEWAY_URL=http://127.0.0.1:8000/v1 GATEWAY_KEY=sk-gt-... GATEWAY_MODEL=gotensor-chat node run.mjs
import OpenAI from "openai";
import { VERSION } from "openai/version";

const client = new OpenAI({ baseURL: process.env.GATEWAY_URL, apiKey: process.env.GATEWAY_KEY });
const model = process.env.GATEWAY_MODEL;
const out = { client_version: VERSION };

// Model listing.
const models = [];
for await (const m of client.models.list()) models.push({ id: m.id, object: m.object });
out.models = models;

// Chat, plain.
const chat = await client.chat.completions.create({ model, messages: [{ role: "user", content: "hello there" }] });
out.chat = { object: chat.object, content: chat.choices[0].message.content, finish_reason: chat.choices[0].finish_reason, usage: chat.usage };

// Chat, streamed.
const stream = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: "one two three" }],
  stream: true,
  stream_options: { include_usage: true },
});
let text = "", chunks = 0, finish = null, usage = null;
for await (const c of stream) {
  chunks++;
  if (c.usage) usage = c.usage;
  for (const ch of c.choices) {
    text += ch.delta?.content ?? "";
    if (ch.finish_reason) finish = ch.finish_reason;
  }
}
out.stream = { content: text, chunks, finish_reason: finish, usage };

// Legacy completions.
const cmpl = await client.completions.create({ model, prompt: "say hi" });
out.completion = { object: cmpl.object, text: cmpl.choices[0].text, usage: cmpl.usage };

// Legacy completions, streamed.
const cstream = await client.completions.create({ model, prompt: "count to three", stream: true, stream_options: { include_usage: true } });
let ctext = "", cchunks = 0, cfinish = null, cusage = null, cobject = null;
for await (const c of cstream) {
  cchunks++;
  cobject = c.object;
  if (c.usage) cusage = c.usage;
  for (const ch of c.choices) {
    ctext += ch.text ?? "";
    if (ch.finish_reason) cfinish = ch.finish_reason;
  }
}
out.completion_stream = { object: cobject, text: ctext, chunks: cchunks, finish_reason: cfinish, usage: cusage };

// Errors come back as the client's typed errors.
try {
  await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] });
  out.error = null;
} catch (e) {
  out.error = { class: e.constructor.name, status: e.status ?? null, type: e.type ?? null, code: e.code ?? null, message: e.error?.message ?? null };
}

console.log(JSON.stringify(out));
