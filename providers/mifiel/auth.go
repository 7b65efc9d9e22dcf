package mifiel

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// ContentHash selects the body hash that ApiAuth's canonical string carries.
type ContentHash string

// Content hash modes.
const (
	// HashMD5 signs Content-MD5 (Mifiel's docs, Python SDK). Default.
	HashMD5 ContentHash = "md5"
	// HashSHA256 signs X-Authorization-Content-SHA256 (api-auth ≥ 2.5).
	HashSHA256 ContentHash = "sha256"
)

// CanonicalString returns ApiAuth's string to sign:
// "METHOD,content-type,content-hash,request-URI,date".
func CanonicalString(method, contentType, contentHash, requestURI, date string) string {
	return strings.Join([]string{strings.ToUpper(method), contentType, contentHash, requestURI, date}, ",")
}

// APIAuthSignature returns base64(HMAC-SHA1(secret, canonical)).
func APIAuthSignature(secret, canonical string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(canonical))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SignRequest sets Date, the content hash headers (when body is not empty) and
// Authorization on r for ApiAuth. body must be the exact bytes r sends.
func SignRequest(r *http.Request, body []byte, appID, secret string, mode ContentHash, now time.Time) {
	date := now.UTC().Format(http.TimeFormat)
	r.Header.Set("Date", date)
	var hash string
	if len(body) > 0 {
		md := md5.Sum(body)
		sh := sha256.Sum256(body)
		md5b64 := base64.StdEncoding.EncodeToString(md[:])
		shab64 := base64.StdEncoding.EncodeToString(sh[:])
		r.Header.Set("Content-MD5", md5b64)
		r.Header.Set("X-Authorization-Content-SHA256", shab64)
		hash = md5b64
		if mode == HashSHA256 {
			hash = shab64
		}
	} else {
		r.Header.Del("Content-MD5")
		r.Header.Del("X-Authorization-Content-SHA256")
	}
	ct := ""
	if len(body) > 0 {
		ct = r.Header.Get("Content-Type")
	}
	canonical := CanonicalString(r.Method, ct, hash, r.URL.RequestURI(), date)
	r.Header.Set("Authorization", "APIAuth "+appID+":"+APIAuthSignature(secret, canonical))
}
