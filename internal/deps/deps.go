//go:build tools

// Package deps pins the module's third-party dependencies while the code that uses them grows.
package deps

import (
	_ "github.com/ChainSafe/go-schnorrkel"
	_ "github.com/cometbft/cometbft/node"
	_ "github.com/cosmos/iavl"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/term"
	_ "google.golang.org/protobuf/proto"
)
