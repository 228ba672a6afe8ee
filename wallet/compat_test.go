package wallet

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// systemPython is Debian's interpreter, which has python3-nacl once
// scripts/install-test-deps.sh ran; a pyenv python on PATH would not.
const systemPython = "/usr/bin/python3"

// TestNaClCompatPython checks the $NACL format against libsodium through PyNaCl, in both
// directions, with the real Argon2i cost: a file written here decrypts there, a file
// written there decrypts here. It also reads legacy Fernet and Ansible Vault files made with
// python3-cryptography. It skips without PyNaCl (run scripts/install-test-deps.sh).
func TestNaClCompatPython(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the 512 MiB Argon2i compatibility test")
	}
	if err := exec.Command(systemPython, "-c", "import nacl.pwhash, nacl.secret").Run(); err != nil {
		t.Skipf("PyNaCl not importable by %s (%v); run scripts/install-test-deps.sh to enable this test", systemPython, err)
	}
	fewLegacyRounds(t)
	dir := t.TempDir()
	const password = "hunter2 but longer"
	a := alice(t)
	plain := DataFromKeypair(a).Marshal()
	os.WriteFile(filepath.Join(dir, "password"), []byte(password), 0o600)
	os.WriteFile(filepath.Join(dir, "plain.json"), plain, 0o600)

	goFile := NewKeyfile(filepath.Join(dir, "go_nacl"))
	if err := goFile.WriteKeypair(a, WriteOptions{Password: password}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(systemPython, "testdata/compat.py", dir, strconv.Itoa(legacyIterations))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("compat.py: %v\n%s", err, stderr.String())
	}
	var summary struct{ NaCl, Fernet, Vault bool }
	if err := json.Unmarshal(out, &summary); err != nil {
		t.Fatalf("compat.py output %q: %v", out, err)
	}

	// Go → libsodium.
	got, err := os.ReadFile(filepath.Join(dir, "go_nacl.plain"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Errorf("PyNaCl decrypted %q, want %q", got, plain)
	}
	// libsodium → Go.
	kf := NewKeyfile(filepath.Join(dir, "py_nacl"))
	kp, err := kf.Keypair(Password(password))
	if err != nil {
		t.Fatalf("reading PyNaCl's file: %v", err)
	}
	if kp.Public() != a.Public() {
		t.Error("PyNaCl's file gives another key")
	}
	for _, f := range []struct {
		name   string
		ok     bool
		format Format
	}{{"py_fernet", summary.Fernet, FormatFernet}, {"py_vault", summary.Vault, FormatAnsibleVault}} {
		if !f.ok {
			t.Logf("%s: python3-cryptography missing, not checked", f.name)
			continue
		}
		kf := NewKeyfile(filepath.Join(dir, f.name))
		if fm, _ := kf.Format(); fm != f.format {
			t.Errorf("%s: format %v, want %v", f.name, fm, f.format)
		}
		d, err := kf.Plaintext(Password(password))
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		if !bytes.Equal(d, plain) {
			t.Errorf("%s: decrypted %q", f.name, d)
		}
	}
}
