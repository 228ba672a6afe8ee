package app

import (
	"bytes"
	"encoding/json"

	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/neurons"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func bytesContains(b, s []byte) bool { return bytes.Contains(b, s) }

var neuronsErrNonAssociated = neurons.ErrNonAssociatedColdKey

type errsError = errs.Error
