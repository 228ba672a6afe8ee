//go:build !linux

package loadtest

import "time"

// threadCPU is not measured on this platform: the in-load verify samples
// are then left out of the report.
func threadCPU() time.Duration { return 0 }
