#!/usr/bin/env python3
"""Generates pystr_golden.json: what Python's str() gives for the values Gotensor hashes.

Run from this directory with any CPython 3.9+ (no bittensor needed: the body hash is
sha3_256(str(value)) and str() is the interpreter's):

    python3 gen_golden.py > pystr_golden.json

Each "json" case holds the JSON a Python sender would put in a body (json.dumps), the Go
type the field has, and str() of the value pydantic builds from it. "float" cases carry the
exact value as float.hex() (JSON cannot carry inf or nan). "synapse" cases are whole body
hashes over required_hash_fields, computed as bittensor's Synapse.body_hash does.

value_path false marks cases whose decoded Go value forgets what the JSON said: a number in
an untyped (any) field decodes to float64, and a Go map sorts its keys. The axon hashes the
body as received, so these still match.
"""
import base64
import hashlib
import json
import sys


def h(s):
    return hashlib.sha3_256(s.encode()).hexdigest()


json_cases = []


def jc(name, gotype, value, text=None, value_path=True):
    """value is what pydantic holds for the field; text overrides json.dumps(value)."""
    json_cases.append({
        "name": name,
        "type": gotype,
        "json": text if text is not None else json.dumps(value),
        "str": str(value),
        "sha3": h(str(value)),
        "value_path": value_path,
    })


# Strings at the top level render raw; inside a list they render as repr.
strings = {
    "empty": "",
    "ascii": "hello world",
    "single_quote": "it's",
    "double_quote": 'say "hi"',
    "both_quotes": "both ' and \"",
    "backslash": "back\\slash",
    "whitespace_escapes": "tab\tnl\nret\r",
    "controls": "\x00\x01\x1b\x1f\x7f",
    "c1_controls": "\x80\x9f",
    "latin1": "caf\u00e9",
    "nbsp": "a\u00a0b",
    "soft_hyphen": "a\u00adb",
    "cjk": "\u65e5\u672c\u8a9e",
    "emoji": "smile \U0001f600",
    "zero_width_space": "a\u200bb",
    "line_separator": "a\u2028b",
    "private_use": "\ue000",
    "combining": "e\u0301",
    "unassigned": "\u0378",
    "bom": "\ufeff",
    "plane1_format": "\U000e0001",
}
for k, v in strings.items():
    jc("str_" + k, "str", v)
    jc("repr_" + k, "[]str", [v])

for k, v in {"zero": 0, "neg": -1, "answer": 42, "max_int64": 2**63 - 1, "min_int64": -2**63}.items():
    jc("int_" + k, "int", v)
jc("int_list", "[]int", [1, -2, 3])
jc("uint_max", "uint64", 2**64 - 1)

jc("bool_true", "bool", True)
jc("bool_false", "bool", False)
jc("none_str", "*str", None)
jc("none_list", "[]str", None)
jc("bool_list", "[]*bool", [True, False, None])

jc("float_from_int_json", "float", 1.0, text="1")
jc("float_list", "[]float", [1.0, 0.5, 1e-05, 1e16], text="[1, 0.5, 1e-05, 1e16]")
jc("float_repr_list", "[]float", [0.1, 0.30000000000000004, 2.5e-07])
jc("float32_field_full_digits", "[]float32", [0.10000000149011612, 0.1], value_path=False)

jc("list_empty", "[]any", [])
jc("list_mixed", "[]any", ["a", 1, 1.5, True, None], value_path=False)
jc("list_nested", "[][]int", [[1, 2], []])
jc("list_strings_quotes", "[]str", ["it's", 'a"b', "x"])

jc("dict_empty", "map[str]any", {})
jc("dict_simple", "map[str]str", {"k": "v"})
jc("dict_sorted", "map[str]int", {"a": 1, "b": 2})
jc("dict_insertion_order", "map[str]int", {"b": 1, "a": 2}, value_path=False)
jc("dict_nested", "map[str]any", {"a": [1, 2.5], "b": {"c": None, "d": False}}, value_path=False)
jc("dict_quote_key", "map[str]str", {"it's": "q"})
jc("dict_int_keys", "map[int]str", {1: "one", 2: "two"}, text='{"1": "one", "2": "two"}')
jc("dict_of_float_lists", "map[str][]float", {"x": [1.0, 2.0]}, text='{"x": [1, 2.0]}')

jc("any_int", "any", 1, value_path=False)
jc("any_float", "any", 1.0, value_path=False)
jc("any_exp", "any", 100000.0, text="1e5", value_path=False)
jc("any_neg_zero_int", "any", 0, text="-0", value_path=False)
jc("any_bigint", "any", 123456789012345678901234567890, value_path=False)
jc("any_string", "any", "top level")
jc("any_list", "any", [1, 1.0, "x"], value_path=False)

jc("messages", "[]map[str]str", [{"role": "user", "content": "What's 2+2?"},
                                  {"role": "assistant", "content": 'He said "4".'}], value_path=False)
jc("struct", "struct", {"a": "x", "b": [1], "c": None}, text='{"a": "x", "b": [1], "c": null}')

float_cases = []
floats = {
    "zero": 0.0, "neg_zero": -0.0, "one": 1.0, "one_half": 1.5, "tenth": 0.1, "third": 1 / 3,
    "1e-05": 1e-05, "0.0001": 0.0001, "1e16": 1e16, "1e15": 1e15, "2^53": 2.0**53,
    "1234567890123456.8": 1234567890123456.8, "12345678901234567": 12345678901234567.0,
    "max": sys.float_info.max, "min_subnormal": 5e-324, "min_normal": sys.float_info.min,
    "2.5e-07": 2.5e-07, "hundred": 100.0, "1e22": 1e22, "neg": -2.5, "twelve": 12.0,
    "point3": 0.30000000000000004, "inf": float("inf"), "neg_inf": float("-inf"),
    "nan": float("nan"), "big_exp": 1.5e300, "small_exp": -1.5e-300,
}
for k, v in floats.items():
    float_cases.append({"name": "float_" + k, "hex": v.hex() if v == v and abs(v) != float("inf") else str(v),
                        "str": str(v), "repr_in_list": str([v]), "sha3": h(str(v))})

# Whole synapses: body_hash = sha3(concat(sha3(str(field)) for field in required_hash_fields)).
synapse_cases = []


def body_hash(values):
    return h("".join(h(str(v)) for v in values))


terminal = {k: None for k in ("status_code", "status_message", "process_time", "ip", "port",
                              "version", "nonce", "uuid", "hotkey", "signature")}


def body(name, **fields):
    """json.dumps(model_dump()) of a synapse, as Python's dendrite sends it."""
    d = {"name": name, "timeout": 12.0, "total_size": 0, "header_size": 0,
         "dendrite": dict(terminal), "axon": dict(terminal), "computed_body_hash": ""}
    d.update(fields)
    return json.dumps(d)


def syn(name, cls, hash_fields, **fields):
    synapse_cases.append({"name": name, "fields": hash_fields, "body": body(cls, **fields),
                          "body_hash": body_hash([fields[f] for f in hash_fields])})


syn("dummy", "Dummy", ["dummy_input"], dummy_input=5, dummy_output=None)
# A Python dendrite's dicts keep insertion order ("role" before "content").
syn("chat_python_sender", "Chat", ["messages", "temperature", "seed", "stop"],
    messages=[{"role": "user", "content": "What's 2+2?"}], temperature=0.7, seed=42,
    stop=["\n", "END"], completion=None)
# A Go dendrite's map[string]string goes out with sorted keys.
syn("chat_go_sender", "Chat", ["messages", "temperature", "seed", "stop"],
    messages=[{"content": "What's 2+2?", "role": "user"}], temperature=0.7, seed=42,
    stop=["\n", "END"], completion=None)
syn("float_given_as_int", "Chat", ["messages", "temperature", "seed", "stop"],
    messages=[], temperature=1, seed=0, stop=[], completion="ok")
synapse_cases[-1]["body_hash"] = body_hash([[], 1.0, 0, []])
syn("ping", "Synapse", [])

placeholders = {k: base64.b64encode(json.dumps(v).encode()).decode()
                for k, v in {"str": str(), "int": int(), "float": float(), "bool": bool(),
                             "list": list(), "dict": dict()}.items()}

json.dump({"generator": "gen_golden.py", "python": sys.version.split()[0],
           "json": json_cases, "float": float_cases, "synapse": synapse_cases,
           "placeholder": placeholders}, sys.stdout, indent=1, ensure_ascii=True)
print()
