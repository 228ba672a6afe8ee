package gateway

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Store is the gateway's database: SQLite or PostgreSQL through database/sql, with the same
// SQL for both (written with ? placeholders, rebound to $n for PostgreSQL). Safe for
// concurrent use.
type Store struct {
	db       *sql.DB
	postgres bool
}

// Key is an API key's record. The key itself is never stored: Hash is the hex SHA-256 of it,
// Prefix its first characters for people to recognise it.
type Key struct {
	ID             string `json:"id"`
	Hash           string `json:"-"`
	Prefix         string `json:"prefix"`
	Name           string `json:"name"`
	Tier           string `json:"tier"`
	RPM            int64  `json:"requests_per_minute,omitempty"` // zero: the tier's
	TokensPerDay   int64  `json:"tokens_per_day,omitempty"`      // zero: the tier's
	DepositAddress string `json:"deposit_address,omitempty"`
	Created        int64  `json:"created"`
	Revoked        int64  `json:"revoked,omitempty"` // unix seconds; zero: active
}

// Usage is one key's use of one model on one UTC day (YYYY-MM-DD).
type Usage struct {
	KeyID            string `json:"-"`
	Day              string `json:"day"`
	Model            string `json:"model"`
	Requests         int64  `json:"requests"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
	CostRAO          int64  `json:"cost_rao"`
}

// Deposit is one credited transfer, identified by (Height, TxHash, EventIndex).
type Deposit struct {
	Height     int64  `json:"height"`
	TxHash     string `json:"tx_hash"`
	EventIndex int64  `json:"event_index"`
	KeyID      string `json:"key_id"`
	From       string `json:"from"`
	AmountRAO  int64  `json:"amount_rao"`
	Credited   int64  `json:"credited"` // unix seconds
}

// LimitRequest asks the operator for higher limits on a key.
type LimitRequest struct {
	ID           string `json:"id"`
	KeyID        string `json:"key_id"`
	RPM          int64  `json:"requests_per_minute"`
	TokensPerDay int64  `json:"tokens_per_day"`
	Reason       string `json:"reason"`
	Status       string `json:"status"` // pending, approved, rejected
	Created      int64  `json:"created"`
	Decided      int64  `json:"decided,omitempty"`
}

// migrations are applied in order, each once, recorded in schema_migrations. Never edit one
// that has shipped: append.
var migrations = []string{
	`CREATE TABLE api_keys (
		id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, name TEXT NOT NULL,
		tier TEXT NOT NULL, rpm BIGINT NOT NULL DEFAULT 0, tokens_per_day BIGINT NOT NULL DEFAULT 0,
		deposit_address TEXT NOT NULL DEFAULT '', created BIGINT NOT NULL, revoked BIGINT NOT NULL DEFAULT 0);
	CREATE TABLE usage_daily (
		key_id TEXT NOT NULL, day TEXT NOT NULL, model TEXT NOT NULL, requests BIGINT NOT NULL,
		prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cost_rao BIGINT NOT NULL,
		PRIMARY KEY (key_id, day, model));
	CREATE TABLE deposits (
		height BIGINT NOT NULL, tx_hash TEXT NOT NULL, event_index BIGINT NOT NULL, key_id TEXT NOT NULL,
		from_address TEXT NOT NULL, amount_rao BIGINT NOT NULL, credited BIGINT NOT NULL,
		PRIMARY KEY (height, tx_hash, event_index));
	CREATE INDEX deposits_key ON deposits (key_id);
	CREATE TABLE limit_requests (
		id TEXT PRIMARY KEY, key_id TEXT NOT NULL, rpm BIGINT NOT NULL, tokens_per_day BIGINT NOT NULL,
		reason TEXT NOT NULL, status TEXT NOT NULL, created BIGINT NOT NULL, decided BIGINT NOT NULL DEFAULT 0);
	CREATE TABLE watcher_state (name TEXT PRIMARY KEY, height BIGINT NOT NULL)`,
}

// PostgresMaxConns is the most PostgreSQL connections one gateway opens; requests beyond
// it wait for one. Keep gateways × this under the server's max_connections.
const PostgresMaxConns = 16

// OpenStore opens PostgreSQL when dsn is set, else the SQLite file at path (":memory:" for
// an in-memory database), and runs the migrations.
func OpenStore(ctx context.Context, path, dsn string) (*Store, error) {
	var s Store
	var err error
	if dsn != "" {
		s.postgres = true
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			// Bounded: every request with an unknown key reads the store, so without a cap
			// a flood of them opens a connection each, past the server's max_connections
			// (100 by default), and then everything using that server fails.
			s.db.SetMaxOpenConns(PostgresMaxConns)
			s.db.SetMaxIdleConns(PostgresMaxConns)
			s.db.SetConnMaxIdleTime(5 * time.Minute)
		}
	} else {
		src := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
		if path == ":memory:" {
			src = ":memory:"
		}
		s.db, err = sql.Open("sqlite", src)
		// One connection: SQLite has one writer, and ":memory:" is one database per connection.
		s.db.SetMaxOpenConns(1)
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: open store: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return &s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Backend names the database: "sqlite" or "postgres".
func (s *Store) Backend() string {
	if s.postgres {
		return "postgres"
	}
	return "sqlite"
}

func (s *Store) q(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.q(query), args...)
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("gateway: migrate: %w", err)
	}
	var have int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("gateway: migrate: %w", err)
	}
	for v := have; v < len(migrations); v++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("gateway: migrate to %d: %w", v+1, err)
		}
		for stmt := range strings.SplitSeq(migrations[v], ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("gateway: migrate to %d: %w", v+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version) VALUES (?)`), v+1); err != nil {
			tx.Rollback()
			return fmt.Errorf("gateway: migrate to %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("gateway: migrate to %d: %w", v+1, err)
		}
	}
	return nil
}

const keyCols = `id, hash, prefix, name, tier, rpm, tokens_per_day, deposit_address, created, revoked`

func scanKey(row interface{ Scan(...any) error }) (Key, error) {
	var k Key
	err := row.Scan(&k.ID, &k.Hash, &k.Prefix, &k.Name, &k.Tier, &k.RPM, &k.TokensPerDay, &k.DepositAddress, &k.Created, &k.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return k, ErrNotFound
	}
	return k, err
}

// CreateKey inserts k.
func (s *Store) CreateKey(ctx context.Context, k Key) error {
	_, err := s.exec(ctx, `INSERT INTO api_keys (`+keyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Hash, k.Prefix, k.Name, k.Tier, k.RPM, k.TokensPerDay, k.DepositAddress, k.Created, k.Revoked)
	if err != nil {
		return fmt.Errorf("gateway: create key %s: %w", k.ID, err)
	}
	return nil
}

// KeyByHash finds a key (revoked or not) by its hash; ErrNotFound if none.
func (s *Store) KeyByHash(ctx context.Context, hash string) (Key, error) {
	return scanKey(s.db.QueryRowContext(ctx, s.q(`SELECT `+keyCols+` FROM api_keys WHERE hash = ?`), hash))
}

// Key finds a key by id; ErrNotFound if none.
func (s *Store) Key(ctx context.Context, id string) (Key, error) {
	return scanKey(s.db.QueryRowContext(ctx, s.q(`SELECT `+keyCols+` FROM api_keys WHERE id = ?`), id))
}

// Keys lists every key, oldest first.
func (s *Store) Keys(ctx context.Context) ([]Key, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyCols+` FROM api_keys ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("gateway: list keys: %w", err)
	}
	defer rows.Close()
	var out []Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("gateway: list keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (s *Store) updateOne(ctx context.Context, what, query string, args ...any) error {
	r, err := s.exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("gateway: %s: %w", what, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("gateway: %s: %w", what, ErrNotFound)
	}
	return nil
}

// RevokeKey marks key id revoked at unix time at.
func (s *Store) RevokeKey(ctx context.Context, id string, at int64) error {
	return s.updateOne(ctx, "revoke key "+id, `UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked = 0`, at, id)
}

// RotateKey replaces an active key's hash and prefix; its id, limits, credit and usage stay.
func (s *Store) RotateKey(ctx context.Context, id, hash, prefix string) error {
	return s.updateOne(ctx, "rotate key "+id, `UPDATE api_keys SET hash = ?, prefix = ? WHERE id = ? AND revoked = 0`, hash, prefix, id)
}

// SetKeyLimits sets a key's own limits (zero: the tier's).
func (s *Store) SetKeyLimits(ctx context.Context, id string, rpm, tokensPerDay int64) error {
	return s.updateOne(ctx, "set limits of key "+id, `UPDATE api_keys SET rpm = ?, tokens_per_day = ? WHERE id = ?`, rpm, tokensPerDay, id)
}

// AddUsage adds each row to its (key, day, model) total, in one transaction.
func (s *Store) AddUsage(ctx context.Context, rows []Usage) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("gateway: add usage: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO usage_daily (key_id, day, model, requests, prompt_tokens, completion_tokens, cost_rao)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key_id, day, model) DO UPDATE SET
			requests = usage_daily.requests + excluded.requests,
			prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,
			completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens,
			cost_rao = usage_daily.cost_rao + excluded.cost_rao`))
	if err != nil {
		return fmt.Errorf("gateway: add usage: %w", err)
	}
	defer stmt.Close()
	for _, u := range rows {
		if _, err := stmt.ExecContext(ctx, u.KeyID, u.Day, u.Model, u.Requests, u.PromptTokens, u.CompletionTokens, u.CostRAO); err != nil {
			return fmt.Errorf("gateway: add usage of key %s: %w", u.KeyID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("gateway: add usage: %w", err)
	}
	return nil
}

// Usage lists a key's usage from day since (YYYY-MM-DD) on, by day then model.
func (s *Store) Usage(ctx context.Context, keyID, since string) ([]Usage, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT key_id, day, model, requests, prompt_tokens, completion_tokens, cost_rao
		FROM usage_daily WHERE key_id = ? AND day >= ? ORDER BY day, model`), keyID, since)
	if err != nil {
		return nil, fmt.Errorf("gateway: usage of key %s: %w", keyID, err)
	}
	defer rows.Close()
	var out []Usage
	for rows.Next() {
		var u Usage
		if err := rows.Scan(&u.KeyID, &u.Day, &u.Model, &u.Requests, &u.PromptTokens, &u.CompletionTokens, &u.CostRAO); err != nil {
			return nil, fmt.Errorf("gateway: usage of key %s: %w", keyID, err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Totals returns a key's tokens used on day, everything it ever spent and everything ever
// credited to it (RAO).
func (s *Store) Totals(ctx context.Context, keyID, day string) (tokensToday, spent, credited int64, err error) {
	err = s.db.QueryRowContext(ctx, s.q(`SELECT
		COALESCE((SELECT SUM(prompt_tokens + completion_tokens) FROM usage_daily WHERE key_id = ? AND day = ?), 0),
		COALESCE((SELECT SUM(cost_rao) FROM usage_daily WHERE key_id = ?), 0),
		COALESCE((SELECT SUM(amount_rao) FROM deposits WHERE key_id = ?), 0)`), keyID, day, keyID, keyID).
		Scan(&tokensToday, &spent, &credited)
	if err != nil {
		err = fmt.Errorf("gateway: totals of key %s: %w", keyID, err)
	}
	return
}

// CreditDeposits records ds (all from block height) and sets the watcher's height to height,
// in one transaction. A deposit already recorded is skipped, so replaying a block credits
// nothing twice. It returns the deposits newly credited.
func (s *Store) CreditDeposits(ctx context.Context, height int64, ds []Deposit) ([]Deposit, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("gateway: credit block %d: %w", height, err)
	}
	defer tx.Rollback()
	var fresh []Deposit
	for _, d := range ds {
		r, err := tx.ExecContext(ctx, s.q(`INSERT INTO deposits (height, tx_hash, event_index, key_id, from_address, amount_rao, credited)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (height, tx_hash, event_index) DO NOTHING`),
			d.Height, d.TxHash, d.EventIndex, d.KeyID, d.From, d.AmountRAO, d.Credited)
		if err != nil {
			return nil, fmt.Errorf("gateway: credit deposit %s at %d: %w", d.TxHash, d.Height, err)
		}
		if n, _ := r.RowsAffected(); n == 1 {
			fresh = append(fresh, d)
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO watcher_state (name, height) VALUES ('deposits', ?)
		ON CONFLICT (name) DO UPDATE SET height = excluded.height`), height); err != nil {
		return nil, fmt.Errorf("gateway: credit block %d: %w", height, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("gateway: credit block %d: %w", height, err)
	}
	return fresh, nil
}

// WatchedHeight returns the last block the deposit watcher finished, or ok false.
func (s *Store) WatchedHeight(ctx context.Context) (h int64, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT height FROM watcher_state WHERE name = 'deposits'`).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("gateway: watched height: %w", err)
	}
	return h, true, nil
}

// Deposits lists a key's credited deposits, oldest first.
func (s *Store) Deposits(ctx context.Context, keyID string) ([]Deposit, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT height, tx_hash, event_index, key_id, from_address, amount_rao, credited
		FROM deposits WHERE key_id = ? ORDER BY height, tx_hash, event_index`), keyID)
	if err != nil {
		return nil, fmt.Errorf("gateway: deposits of key %s: %w", keyID, err)
	}
	defer rows.Close()
	var out []Deposit
	for rows.Next() {
		var d Deposit
		if err := rows.Scan(&d.Height, &d.TxHash, &d.EventIndex, &d.KeyID, &d.From, &d.AmountRAO, &d.Credited); err != nil {
			return nil, fmt.Errorf("gateway: deposits of key %s: %w", keyID, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// CreateLimitRequest inserts a pending request.
func (s *Store) CreateLimitRequest(ctx context.Context, r LimitRequest) error {
	_, err := s.exec(ctx, `INSERT INTO limit_requests (id, key_id, rpm, tokens_per_day, reason, status, created, decided)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0)`, r.ID, r.KeyID, r.RPM, r.TokensPerDay, r.Reason, "pending", r.Created)
	if err != nil {
		return fmt.Errorf("gateway: create limit request: %w", err)
	}
	return nil
}

// PendingLimitRequest returns key keyID's pending request, or ErrNotFound.
func (s *Store) PendingLimitRequest(ctx context.Context, keyID string) (LimitRequest, error) {
	var r LimitRequest
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, key_id, rpm, tokens_per_day, reason, status, created, decided
		FROM limit_requests WHERE key_id = ? AND status = 'pending' ORDER BY created, id LIMIT 1`), keyID).
		Scan(&r.ID, &r.KeyID, &r.RPM, &r.TokensPerDay, &r.Reason, &r.Status, &r.Created, &r.Decided)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("gateway: pending limit request of key %s: %w", keyID, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("gateway: pending limit request of key %s: %w", keyID, err)
	}
	return r, nil
}

// LimitRequests lists requests with the given status (empty: all), oldest first.
func (s *Store) LimitRequests(ctx context.Context, status string) ([]LimitRequest, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, key_id, rpm, tokens_per_day, reason, status, created, decided
		FROM limit_requests WHERE ? = '' OR status = ? ORDER BY created, id`), status, status)
	if err != nil {
		return nil, fmt.Errorf("gateway: list limit requests: %w", err)
	}
	defer rows.Close()
	var out []LimitRequest
	for rows.Next() {
		var r LimitRequest
		if err := rows.Scan(&r.ID, &r.KeyID, &r.RPM, &r.TokensPerDay, &r.Reason, &r.Status, &r.Created, &r.Decided); err != nil {
			return nil, fmt.Errorf("gateway: list limit requests: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DecideLimitRequest approves (setting the key's limits) or rejects a pending request.
func (s *Store) DecideLimitRequest(ctx context.Context, id string, approve bool, at int64) (LimitRequest, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return LimitRequest{}, fmt.Errorf("gateway: decide limit request %s: %w", id, err)
	}
	defer tx.Rollback()
	var r LimitRequest
	err = tx.QueryRowContext(ctx, s.q(`SELECT id, key_id, rpm, tokens_per_day, reason, status, created FROM limit_requests WHERE id = ? AND status = 'pending'`), id).
		Scan(&r.ID, &r.KeyID, &r.RPM, &r.TokensPerDay, &r.Reason, &r.Status, &r.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("gateway: decide limit request %s: no pending request: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("gateway: decide limit request %s: %w", id, err)
	}
	r.Status, r.Decided = "rejected", at
	if approve {
		r.Status = "approved"
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE api_keys SET rpm = ?, tokens_per_day = ? WHERE id = ?`), r.RPM, r.TokensPerDay, r.KeyID); err != nil {
			return r, fmt.Errorf("gateway: decide limit request %s: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE limit_requests SET status = ?, decided = ? WHERE id = ?`), r.Status, at, id); err != nil {
		return r, fmt.Errorf("gateway: decide limit request %s: %w", id, err)
	}
	return r, tx.Commit()
}
