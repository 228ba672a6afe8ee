package client

import rpcclient "github.com/cometbft/cometbft/rpc/client"

func queryOpts(height int64) rpcclient.ABCIQueryOptions {
	return rpcclient.ABCIQueryOptions{Height: height}
}
