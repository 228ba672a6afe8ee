package dendrite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/gotensor/gotensor/synapse"
)

// classify maps a failed call to Bittensor's status codes (reference §2.4 item 7):
//
//	timeout (connect, send or read)            408 Request timeout after {t} seconds
//	cannot connect                             503 Service unavailable at {ip}:{port}/{Name}: {why}
//	private destination refused (RefusePrivate) 503 Service unavailable at ...: refused to connect ...
//	connection dropped before the answer       503 Service disconnected: ...
//	answer body broken off or unreadable       400 Payload error: ...
//	cannot encode the request                  500 Client error: ...
//	anything else                              500 Client error: ...
//
// A context cancelled by the caller (or by Close) is reported as 408 too: the axon did not
// answer in the time it was given.
func classify(ctx context.Context, err error, reading bool, timeout time.Duration, axon synapse.AxonInfo, name string) (int, string) {
	var pe *prepareError
	var pd *PrivateDestinationError
	var op *net.OpError
	var ne net.Error
	switch {
	case errors.As(err, &pe):
		return synapse.StatusInternal, "Client error: cannot encode the request: " + clip(pe.Error(), 200)
	case errors.As(err, &pd):
		return synapse.StatusUnavailable, fmt.Sprintf("Service unavailable at %s/%s: %s", axon.Addr(), name, pd.Error())
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) ||
		errors.As(err, &ne) && ne.Timeout():
		return synapse.StatusTimeout, fmt.Sprintf("Request timeout after %s seconds", synapse.PyFloat(timeout.Seconds()))
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return synapse.StatusTimeout, "Request cancelled before the axon answered"
	case errors.As(err, &op) && op.Op == "dial":
		// Bittensor's message, then why (connection refused, no route to host, ...), which
		// tells an operator a down miner from an address this host cannot reach.
		return synapse.StatusUnavailable, fmt.Sprintf("Service unavailable at %s/%s: %s", axon.Addr(), name, clip(op.Err.Error(), 200))
	case errors.Is(err, syscall.ECONNREFUSED):
		return synapse.StatusUnavailable, fmt.Sprintf("Service unavailable at %s/%s: connection refused", axon.Addr(), name)
	case reading && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)):
		return synapse.StatusUnavailable, "Service disconnected: the axon closed the connection before the end of its answer"
	case reading:
		return synapse.StatusBadRequest, "Payload error: " + clip(err.Error(), 200)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return synapse.StatusUnavailable, "Service disconnected: " + clip(err.Error(), 200)
	}
	return synapse.StatusInternal, "Client error: " + clip(err.Error(), 200)
}
