// Package validator is the prompting subnet's validator: each round it sends
// every serving miner its own freshly generated challenge, scores the answer
// (correctness × latency factor), keeps a moving average per uid and sets
// weights from it. docs/prompting-subnet.md explains the reward.
package validator

import (
	"time"

	"github.com/gotensor/gotensor/subnets/prompting/challenge"
)

// Reward parameters.
const (
	// FastEnough is the latency at or under which an answer gets full credit.
	FastEnough = 500 * time.Millisecond
	// SlowFloor is the latency factor at the timeout: a correct but slow answer
	// still earns half, so correctness dominates and speed breaks ties.
	SlowFloor = 0.5
)

// LatencyFactor is 1 up to FastEnough, falling linearly to SlowFloor at timeout.
func LatencyFactor(elapsed, timeout time.Duration) float64 {
	if elapsed <= FastEnough || timeout <= FastEnough {
		return 1
	}
	x := float64(elapsed-FastEnough) / float64(timeout-FastEnough)
	if x > 1 {
		x = 1
	}
	return 1 - (1-SlowFloor)*x
}

// Score is one answer's reward in [0, 1]: 0 for a wrong, empty or missing
// answer, else the latency factor.
func Score(c challenge.Challenge, answer string, elapsed, timeout time.Duration) float64 {
	if !c.Check(answer) {
		return 0
	}
	return LatencyFactor(elapsed, timeout)
}

// EMA is a moving average per hotkey: avg ← α·score + (1−α)·avg. A new
// hotkey at a uid starts from zero, so a re-registered uid inherits nothing.
type EMA struct {
	Alpha  float64
	scores map[string]float64
}

// Update folds score into hotkey's average and returns it.
func (e *EMA) Update(hotkey string, score float64) float64 {
	if e.scores == nil {
		e.scores = map[string]float64{}
	}
	v := e.Alpha*score + (1-e.Alpha)*e.scores[hotkey]
	e.scores[hotkey] = v
	return v
}

// Get is hotkey's average (0 when unseen).
func (e *EMA) Get(hotkey string) float64 { return e.scores[hotkey] }

// Weights turns averages into u16 weights, the largest 65535; uids with a
// zero average are left out. It returns nil when every average is zero.
func Weights(uids []uint16, avgs []float64) (outUIDs, outW []uint16) {
	top := 0.0
	for _, a := range avgs {
		top = max(top, a)
	}
	if top <= 0 {
		return nil, nil
	}
	for i, a := range avgs {
		if w := uint16(a / top * 65535); w > 0 {
			outUIDs, outW = append(outUIDs, uids[i]), append(outW, w)
		}
	}
	return outUIDs, outW
}
