package neuron

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts the name of every environment variable LoadConfig reads: the flag name
// upper-cased, dots and dashes as underscores (--neuron.sample_size: GOTENSOR_NEURON_SAMPLE_SIZE).
const EnvPrefix = "GOTENSOR_"

// ConfigFlag names the flag (and, as GOTENSOR_CONFIG, the variable) giving the config file.
const ConfigFlag = "config"

// LookupFunc finds an environment variable: os.LookupEnv in a binary.
type LookupFunc func(name string) (string, bool)

// RegisterFlags defines the template's flags on fs, bound to c's fields, each defaulting to
// c's current value: --netuid, --wallet.name, --wallet.hotkey, --wallet.path,
// --subtensor.network, --subtensor.chain_endpoint, --axon.ip, --axon.port,
// --axon.external_ip, --axon.external_port, --blacklist.force_validator_permit,
// --blacklist.allow_non_registered, --blacklist.min_stake, --neuron.sample_size,
// --neuron.moving_average_alpha, --neuron.timeout, --neuron.epoch_length,
// --neuron.sync_interval, --neuron.step_interval, --neuron.disable_set_weights,
// --neuron.refuse_private_axons,
// --neuron.vpermit_tao_limit, --neuron.state_file, --neuron.health_addr, --logging.debug and
// --logging.json. Durations take Go's form (10s, 1m30s) or plain seconds as Python's
// flags do (10, 0.5); stakes are TAO (4096, 0.5).
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Var(uintValue[uint16]{&c.Netuid}, "netuid", "subnet to run on")
	fs.StringVar(&c.Wallet.Name, "wallet.name", c.Wallet.Name, `wallet (coldkey) name; empty means "default"`)
	fs.StringVar(&c.Wallet.Hotkey, "wallet.hotkey", c.Wallet.Hotkey, `hotkey name; empty means "default"`)
	fs.StringVar(&c.Wallet.Path, "wallet.path", c.Wallet.Path, "wallets folder; empty means ~/.bittensor/wallets")
	fs.StringVar(&c.Subtensor.Network, "subtensor.network", c.Subtensor.Network, `network name ("local") or RPC URL`)
	fs.StringVar(&c.Subtensor.ChainEndpoint, "subtensor.chain_endpoint", c.Subtensor.ChainEndpoint, "CometBFT RPC URL; wins over --subtensor.network")
	fs.StringVar(&c.Axon.IP, "axon.ip", c.Axon.IP, "address the axon listens on; empty means every interface")
	fs.IntVar(&c.Axon.Port, "axon.port", c.Axon.Port, "port the axon listens on")
	fs.StringVar(&c.Axon.ExternalIP, "axon.external_ip", c.Axon.ExternalIP, "IP published on chain (serve_axon) and reported by the validator; empty: not published")
	fs.IntVar(&c.Axon.ExternalPort, "axon.external_port", c.Axon.ExternalPort, "port published on chain; 0 means --axon.port")
	fs.Var(notValue{&c.Blacklist.AllowNoPermit}, "blacklist.force_validator_permit", "admit only callers holding a validator permit")
	fs.BoolVar(&c.Blacklist.AllowNonRegistered, "blacklist.allow_non_registered", c.Blacklist.AllowNonRegistered, "admit callers not registered on the subnet (tests only)")
	fs.Var(taoValue{&c.Blacklist.MinStake}, "blacklist.min_stake", "stake (alpha + tao_weight x root stake) a caller needs instead of a permit; 0: a permit")
	fs.IntVar(&c.Neuron.SampleSize, "neuron.sample_size", c.Neuron.SampleSize, "miners queried per step")
	fs.Float64Var(&c.Neuron.MovingAverageAlpha, "neuron.moving_average_alpha", c.Neuron.MovingAverageAlpha, "weight of a new reward in the moving average, in (0, 1]")
	fs.Var(durationValue{&c.Neuron.Timeout}, "neuron.timeout", "deadline of one step's queries")
	fs.Var(uintValue[uint64]{&c.Neuron.EpochLength}, "neuron.epoch_length", "blocks between weight updates; 0 means the subnet's tempo")
	fs.Var(durationValue{&c.Neuron.SyncInterval}, "neuron.sync_interval", "how often to check the chain head and resync the metagraph")
	fs.Var(durationValue{&c.Neuron.StepInterval}, "neuron.step_interval", "pause between validator steps")
	fs.BoolVar(&c.Neuron.DisableSetWeights, "neuron.disable_set_weights", c.Neuron.DisableSetWeights, "score miners but never set weights")
	fs.BoolVar(&c.Neuron.RefusePrivateAxons, "neuron.refuse_private_axons", c.Neuron.RefusePrivateAxons, "refuse to query axons at private addresses (loopback, RFC 1918, link-local, IPv6 ULA...), so miners cannot make the validator post into its own network; off suits localnets")
	fs.Var(taoValue{&c.Neuron.VpermitTAOLimit}, "neuron.vpermit_tao_limit", "permit holders with more stake than this are not sampled as miners")
	fs.StringVar(&c.Neuron.StateFile, "neuron.state_file", c.Neuron.StateFile, "file keeping the validator's scores and unrevealed commit between runs; empty: none")
	fs.StringVar(&c.Neuron.HealthAddr, "neuron.health_addr", c.Neuron.HealthAddr, "host:port answering GET /healthz; empty: off")
	fs.BoolVar(&c.Logging.Debug, "logging.debug", c.Logging.Debug, "log at debug level")
	fs.BoolVar(&c.Logging.JSON, "logging.json", c.Logging.JSON, "log JSON lines")
}

// LoadConfig resolves a Config as the template binaries do, later sources winning: the
// defaults, the config file, the environment, the command line. It defines the config flags
// (RegisterFlags) and --config on fs, which may already hold the binary's own flags, and
// parses args; those flags take values from the same sources.
//
//   - The config file is --config, else $GOTENSOR_CONFIG: JSON or TOML (by extension; else
//     by its first character), keys as the flag names, nested or dotted:
//     {"netuid": 3, "neuron": {"sample_size": 16}} or
//     "netuid = 3\n[neuron]\nsample_size = 16". An unknown key is an error.
//   - The environment: GOTENSOR_ and the flag name upper-cased with dots as underscores
//     (GOTENSOR_WALLET_NAME, GOTENSOR_NEURON_TIMEOUT=10s); Bittensor's BT_WALLET_NAME,
//     BT_WALLET_HOTKEY and BT_WALLET_PATH are read too, after the GOTENSOR_ ones.
//
// lookupEnv is os.LookupEnv in a binary (the library reads no environment itself); nil
// means none. A -h or --help returns flag.ErrHelp after fs printed its usage.
func LoadConfig(fs *flag.FlagSet, args []string, lookupEnv LookupFunc) (Config, error) {
	c := DefaultConfig()
	c.Wallet.Name, c.Wallet.Hotkey, c.Wallet.Path = "default", "default", "~/.bittensor/wallets"
	c.RegisterFlags(fs)
	file := fs.String(ConfigFlag, "", "JSON or TOML config file (keys as flag names)")
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set[ConfigFlag] {
		if v, ok := lookupEnv(EnvName(ConfigFlag)); ok {
			*file = v
		}
	}
	var fromFile map[string]string
	if *file != "" {
		var err error
		if fromFile, err = readConfigFile(*file); err != nil {
			return Config{}, err
		}
		for k := range fromFile {
			if fs.Lookup(k) == nil || k == ConfigFlag {
				return Config{}, fmt.Errorf("%w: %s: unknown key %q; keys are flag names such as neuron.sample_size", ErrConfig, *file, k)
			}
		}
	}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || set[f.Name] || f.Name == ConfigFlag {
			return
		}
		src, v, ok := "", "", false
		for _, name := range envNames(f.Name) {
			if v, ok = lookupEnv(name); ok {
				src = "$" + name
				break
			}
		}
		if !ok {
			v, ok = fromFile[f.Name]
			src = *file
		}
		if !ok {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = fmt.Errorf("%w: %s from %s: %w", ErrConfig, f.Name, src, e)
		}
	})
	if err != nil {
		return Config{}, err
	}
	return c, c.Validate()
}

// EnvName is the environment variable for a flag: GOTENSOR_ and the name upper-cased with
// dots and dashes as underscores.
func EnvName(flagName string) string {
	return EnvPrefix + strings.NewReplacer(".", "_", "-", "_").Replace(strings.ToUpper(flagName))
}

func envNames(flagName string) []string {
	names := []string{EnvName(flagName)}
	switch flagName {
	case "wallet.name", "wallet.hotkey", "wallet.path": // SDK-SPEC "Wallet"
		names = append(names, "BT_"+strings.ToUpper(strings.ReplaceAll(flagName, ".", "_")))
	}
	return names
}

// readConfigFile reads a JSON or TOML file into flag name → value text.
func readConfigFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: config file: %w", ErrConfig, err)
	}
	var kv map[string]string
	switch ext := strings.ToLower(filepath.Ext(path)); {
	case ext == ".json", ext != ".toml" && strings.HasPrefix(strings.TrimSpace(string(b)), "{"):
		kv, err = flattenJSON(b)
	default:
		kv, err = parseTOML(b)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: config file %s: %w", ErrConfig, path, err)
	}
	return kv, nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// uintValue is an unsigned integer flag of a fixed size.
type uintValue[T uint16 | uint64] struct{ p *T }

func (v uintValue[T]) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatUint(uint64(*v.p), 10)
}

func (v uintValue[T]) Set(s string) error {
	var zero T
	bits := 64
	if any(zero) == any(uint16(0)) {
		bits = 16
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, bits)
	if err != nil {
		return fmt.Errorf("want a whole number below 2^%d", bits)
	}
	*v.p = T(n)
	return nil
}

// durationValue takes Go durations (10s) or seconds (10, 0.5), as Python's float flags.
type durationValue struct{ p *time.Duration }

func (v durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return v.p.String()
}

func (v durationValue) Set(s string) error {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || math.IsNaN(f) || f > math.MaxInt64/float64(time.Second) {
			return errors.New("want a positive number of seconds")
		}
		*v.p = time.Duration(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return errors.New("want a duration such as 10s or 1m, or seconds such as 10")
	}
	*v.p = d
	return nil
}

// taoValue takes a decimal amount of TAO (or alpha) and stores RAO, exactly.
type taoValue struct{ p *uint64 }

func (v taoValue) String() string {
	if v.p == nil {
		return "0"
	}
	whole, frac := *v.p/1_000_000_000, *v.p%1_000_000_000
	if frac == 0 {
		return strconv.FormatUint(whole, 10)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%09d", whole, frac), "0")
}

func (v taoValue) Set(s string) error {
	rao, err := parseTAO(strings.TrimSpace(s))
	if err != nil {
		return err
	}
	*v.p = rao
	return nil
}

// parseTAO parses "12", "0.5" or "1_000.25" TAO into RAO (9 decimals), without floats.
func parseTAO(s string) (uint64, error) {
	bad := fmt.Errorf("%q: want an amount of TAO such as 4096 or 0.5 (at most 9 decimals)", s)
	s = strings.ReplaceAll(s, "_", "")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 9 {
		return 0, bad
	}
	var w, f uint64
	var err error
	if whole != "" {
		if w, err = strconv.ParseUint(whole, 10, 64); err != nil || w > math.MaxUint64/1_000_000_000 {
			return 0, bad
		}
	}
	if frac != "" {
		if f, err = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64); err != nil {
			return 0, bad
		}
	}
	return w*1_000_000_000 + f, nil
}

// notValue is a bool flag stored negated: --blacklist.force_validator_permit sets
// AllowNoPermit to its opposite.
type notValue struct{ p *bool }

func (v notValue) IsBoolFlag() bool { return true }

func (v notValue) String() string { return strconv.FormatBool(v.p != nil && !*v.p) }

func (v notValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("want true or false")
	}
	*v.p = !b
	return nil
}
