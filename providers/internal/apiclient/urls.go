package apiclient

import "net/url"

// ParseHTTPURL parses raw as an absolute http or https URL with a host, the
// form every provider base URL and downloadable file URL must have; ok is false
// for anything else (including "").
func ParseHTTPURL(raw string) (u *url.URL, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	return u, true
}
