package gnv

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ErrInvalidCIDR is wrapped by ParseAllowlist for an entry that is neither an
// IP address nor a CIDR prefix.
var ErrInvalidCIDR = errors.New("gnv: invalid allowlist entry")

// Allowlist is the optional source-IP check for consumption deliveries. The
// zero value (no prefixes) allows every address: the check is off.
type Allowlist struct {
	prefixes []netip.Prefix
}

// ParseAllowlist parses IP addresses and CIDR prefixes ("203.0.113.0/24",
// "2001:db8::/32", "198.51.100.7"). Empty entries are ignored.
func ParseAllowlist(entries []string) (Allowlist, error) {
	var a Allowlist
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if strings.Contains(e, "/") {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return Allowlist{}, fmt.Errorf("%w: %q", ErrInvalidCIDR, e)
			}
			a.prefixes = append(a.prefixes, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(e)
		if err != nil {
			return Allowlist{}, fmt.Errorf("%w: %q", ErrInvalidCIDR, e)
		}
		ip = ip.Unmap()
		a.prefixes = append(a.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return a, nil
}

// Enabled reports whether the allowlist has entries.
func (a Allowlist) Enabled() bool { return len(a.prefixes) > 0 }

// Allows reports whether remoteAddr (an http.Request.RemoteAddr "ip:port", or a
// bare IP) is allowed. With no entries every address is allowed; with entries,
// an unparseable address is refused. IPv4-mapped IPv6 addresses match IPv4
// entries. Behind a proxy pass the client address the proxy vouches for, not
// a header the sender controls.
func (a Allowlist) Allows(remoteAddr string) bool {
	if len(a.prefixes) == 0 {
		return true
	}
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap().WithZone("")
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
