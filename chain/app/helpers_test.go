package app

import (
	"bytes"
	"encoding/json"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func bytesContains(b, s []byte) bool { return bytes.Contains(b, s) }
