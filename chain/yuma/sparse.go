package yuma

import (
	"cmp"
	"slices"

	"github.com/gotensor/gotensor/chain/fixed"
)

// sparse is a row-major sparse matrix (CSR): row i holds the entries start[i]..start[i+1]−1
// of col and val, in insertion order.
type sparse struct {
	start []int
	col   []uint16
	val   []fixed.I32F32
}

func newSparse(n, capacity int) sparse {
	return sparse{
		start: make([]int, n+1),
		col:   make([]uint16, 0, capacity),
		val:   make([]fixed.I32F32, 0, capacity),
	}
}

func (m *sparse) push(j uint16, v fixed.I32F32) {
	m.col = append(m.col, j)
	m.val = append(m.val, v)
}

// colSums returns Σ_i m_ij per column j (plain integer sums) into sum, which has length n;
// entries whose keep flag is false are skipped when keep is not nil.
func (m *sparse) colSums(sum []fixed.I32F32, keep []bool) {
	clear(sum)
	for k, j := range m.col {
		if keep == nil || keep[k] {
			sum[j] = sum[j].WrappingAdd(m.val[k])
		}
	}
}

// colNormalize divides every entry by its column sum where that sum is not zero
// (subtensor's inplace_col_normalize_sparse). sum is scratch of length n.
func (m *sparse) colNormalize(sum []fixed.I32F32, keep []bool) {
	m.colSums(sum, keep)
	for k, j := range m.col {
		if (keep == nil || keep[k]) && !sum[j].IsZero() {
			m.val[k] = m.val[k].SafeDiv(sum[j])
		}
	}
}

// rows returns m as sparse u16 rows, each sorted by uid: row i holds (j, conv(v)) for its
// entries when want[i], and is empty otherwise. The rows share one backing array.
func (m *sparse) rows(want []bool, conv func(fixed.I32F32) uint16) []Row {
	n := len(m.start) - 1
	total := 0
	for i := range n {
		if want[i] {
			total += m.start[i+1] - m.start[i]
		}
	}
	backing := make([]Entry, total)
	out := make([]Row, n)
	off := 0
	for i := range n {
		if !want[i] {
			continue
		}
		lo, hi := m.start[i], m.start[i+1]
		r := backing[off : off+hi-lo : off+hi-lo]
		off += hi - lo
		sorted := true
		for k := lo; k < hi; k++ {
			r[k-lo] = Entry{UID: m.col[k], Value: conv(m.val[k])}
			if k > lo && m.col[k] < m.col[k-1] {
				sorted = false
			}
		}
		if !sorted {
			slices.SortFunc(r, func(a, b Entry) int { return cmp.Compare(a.UID, b.UID) })
		}
		out[i] = r
	}
	return out
}
