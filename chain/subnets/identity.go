package subnets

import "fmt"

// SubnetIdentity describes a subnet (subtensor's SubnetIdentityV3).
type SubnetIdentity struct {
	SubnetName    string `json:"subnet_name"`
	GithubRepo    string `json:"github_repo"`
	SubnetContact string `json:"subnet_contact"`
	SubnetURL     string `json:"subnet_url"`
	Discord       string `json:"discord"`
	Description   string `json:"description"`
	LogoURL       string `json:"logo_url"`
	Additional    string `json:"additional"`
}

// ChainIdentity describes a coldkey (subtensor's ChainIdentityV2).
type ChainIdentity struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	GithubRepo  string `json:"github_repo"`
	Image       string `json:"image"`
	Discord     string `json:"discord"`
	Description string `json:"description"`
	Additional  string `json:"additional"`
}

type limited struct {
	name  string
	value string
	max   int
}

func checkLimits(fields []limited) error {
	for _, f := range fields {
		if len(f.value) > f.max {
			return fmt.Errorf("%w: %s is %d bytes, limit %d", ErrInvalidIdentity, f.name, len(f.value), f.max)
		}
	}
	return nil
}

// Validate checks the byte limits.
func (id SubnetIdentity) Validate() error {
	return checkLimits([]limited{
		{"subnet_name", id.SubnetName, 256}, {"github_repo", id.GithubRepo, 1024},
		{"subnet_contact", id.SubnetContact, 1024}, {"subnet_url", id.SubnetURL, 1024},
		{"discord", id.Discord, 256}, {"description", id.Description, 1024},
		{"logo_url", id.LogoURL, 1024}, {"additional", id.Additional, 1024},
	})
}

// Validate checks the byte limits.
func (id ChainIdentity) Validate() error {
	return checkLimits([]limited{
		{"name", id.Name, 256}, {"url", id.URL, 256}, {"github_repo", id.GithubRepo, 256},
		{"image", id.Image, 1024}, {"discord", id.Discord, 256}, {"description", id.Description, 1024},
		{"additional", id.Additional, 1024},
	})
}
