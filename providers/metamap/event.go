package metamap

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Event names (FACTS.md §3).
const (
	EventVerificationStarted         = "verification_started"
	EventStepCompleted               = "step_completed"
	EventVerificationInputsCompleted = "verification_inputs_completed"
	EventVerificationCompleted       = "verification_completed"
	EventVerificationUpdated         = "verification_updated"
	EventVerificationPostponed       = "verification_postponed"
	EventVerificationExpired         = "verification_expired"
	EventVerificationSigned          = "verification_signed"
)

// IdentityStatus is a verification status at MetaMap.
type IdentityStatus string

// Verification statuses (docs.metamap.com update-verification-status).
const (
	StatusVerified      IdentityStatus = "verified"
	StatusReviewNeeded  IdentityStatus = "reviewNeeded"
	StatusRejected      IdentityStatus = "rejected"
	StatusPending       IdentityStatus = "pending"
	StatusRunning       IdentityStatus = "running"
	StatusReviewRunning IdentityStatus = "reviewRunning"
	StatusPostponed     IdentityStatus = "postponed"
	StatusDeleted       IdentityStatus = "deleted"
)

// Alteration-detection error codes of step_completed (FACTS.md §3).
const (
	StepAlterationDetection = "alteration-detection"
	CodeFraudAttempt        = "alterationDetection.fraudAttempt"
	CodeNegligence          = "alterationDetection.negligence"
)

// DocumentStatus is the status of a KYC document requirement in CMu's Odoo
// checklist (x_cmu_doc_checklist lines).
type DocumentStatus string

// Document statuses.
const (
	DocPendiente      DocumentStatus = "pendiente"
	DocRecibido       DocumentStatus = "recibido"
	DocEnRevision     DocumentStatus = "en_revision"
	DocRevisionManual DocumentStatus = "revision_manual"
	DocAprobado       DocumentStatus = "aprobado"
	DocRechazado      DocumentStatus = "rechazado"
)

// DocumentStatusFor maps a MetaMap status to CMu's document status:
// verified → aprobado, rejected → rechazado, reviewNeeded → revision_manual
// (which also creates an Airtable task in the server), and running, pending,
// reviewRunning, postponed → en_revision. ok is false for deleted and unknown
// statuses, which must not change the document.
func DocumentStatusFor(s IdentityStatus) (status DocumentStatus, ok bool) {
	switch s {
	case StatusVerified:
		return DocAprobado, true
	case StatusRejected:
		return DocRechazado, true
	case StatusReviewNeeded:
		return DocRevisionManual, true
	case StatusRunning, StatusPending, StatusReviewRunning, StatusPostponed:
		return DocEnRevision, true
	}
	return "", false
}

// ErrMalformedEvent means an authentic body is not a MetaMap event.
var ErrMalformedEvent = errors.New("metamap: malformed event")

// Event is a MetaMap webhook payload.
type Event struct {
	Name string
	// Resource is the URL of the verification (GET it with GetVerification).
	Resource string
	// VerificationID is the last path segment of Resource.
	VerificationID string
	FlowID         string
	Timestamp      time.Time
	// IdentityStatus and Status are set on verification_completed and
	// verification_updated; they can differ.
	IdentityStatus IdentityStatus
	Status         IdentityStatus
	// Step is set on step_completed.
	Step *Step
	// Metadata is what CMu passed when starting the verification (e.g. lead_id).
	Metadata map[string]json.RawMessage
	// DashboardURL is matiDashboardUrl.
	DashboardURL string
	// Details and DeviceFingerprint are kept undecoded.
	Details           json.RawMessage
	DeviceFingerprint json.RawMessage
	rawTimestamp      string
}

// Step is a step_completed payload's step.
type Step struct {
	ID string
	// Status as sent (MetaMap sends a number such as 200), as text.
	Status string
	Error  *StepError
	Data   json.RawMessage
}

// StepError is a failed step's error.
type StepError struct {
	Code    string `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

type wireEvent struct {
	EventName      string `json:"eventName"`
	Resource       string `json:"resource"`
	FlowID         string `json:"flowId"`
	Timestamp      string `json:"timestamp"`
	IdentityStatus string `json:"identityStatus"`
	Status         string `json:"status"`
	Step           *struct {
		ID     string          `json:"id"`
		Status json.RawMessage `json:"status"`
		Error  *StepError      `json:"error"`
		Data   json.RawMessage `json:"data"`
	} `json:"step"`
	Metadata          map[string]json.RawMessage `json:"metadata"`
	MatiDashboardURL  string                     `json:"matiDashboardUrl"`
	Details           json.RawMessage            `json:"details"`
	DeviceFingerprint json.RawMessage            `json:"deviceFingerprint"`
}

// ParseEvent decodes a webhook body; it does not check signatures. eventName,
// resource and timestamp are required.
func ParseEvent(body []byte) (*Event, error) {
	var w wireEvent
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	if w.EventName == "" || w.Resource == "" || w.Timestamp == "" {
		return nil, fmt.Errorf("%w: eventName, resource and timestamp are required", ErrMalformedEvent)
	}
	ts, err := time.Parse(time.RFC3339Nano, w.Timestamp)
	if err != nil {
		return nil, fmt.Errorf("%w: timestamp %q is not ISO-8601", ErrMalformedEvent, w.Timestamp)
	}
	u, err := url.Parse(w.Resource)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: resource %q is not an absolute URL", ErrMalformedEvent, w.Resource)
	}
	ev := &Event{Name: w.EventName, Resource: w.Resource, VerificationID: lastSegment(u.Path), FlowID: w.FlowID, Timestamp: ts.UTC(),
		IdentityStatus: IdentityStatus(w.IdentityStatus), Status: IdentityStatus(w.Status), Metadata: w.Metadata,
		DashboardURL: w.MatiDashboardURL, Details: w.Details, DeviceFingerprint: w.DeviceFingerprint, rawTimestamp: w.Timestamp}
	if ev.VerificationID == "" {
		return nil, fmt.Errorf("%w: resource %q names no verification", ErrMalformedEvent, w.Resource)
	}
	if w.Step != nil {
		st := &Step{ID: w.Step.ID, Error: w.Step.Error, Data: w.Step.Data}
		var s string
		if json.Unmarshal(w.Step.Status, &s) == nil {
			st.Status = s
		} else if len(w.Step.Status) > 0 && string(w.Step.Status) != "null" {
			st.Status = string(w.Step.Status)
		}
		ev.Step = st
	}
	return ev, nil
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// ID identifies the delivery for deduplication: eventName, verification id,
// step id (step_completed only) and the payload timestamp as sent, joined by
// "/". Retries of the same notification carry the same values.
func (e *Event) ID() string {
	parts := []string{e.Name, e.VerificationID}
	if e.Step != nil {
		parts = append(parts, e.Step.ID)
	}
	return strings.Join(append(parts, e.rawTimestamp), "/")
}

// MetadataString returns metadata[key] as a string (JSON strings unquoted,
// other scalars as their JSON text), or "".
func (e *Event) MetadataString(key string) string {
	raw, ok := e.Metadata[key]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}

// Decision returns the document status an event decides, if any:
// verification_completed and verification_updated decide by identityStatus
// (status when identityStatus is empty); step_completed of alteration-detection
// decides rechazado on fraudAttempt and revision_manual on negligence;
// verification_postponed means en_revision. Other events decide nothing
// (ok = false).
func (e *Event) Decision() (status DocumentStatus, ok bool) {
	switch e.Name {
	case EventVerificationCompleted, EventVerificationUpdated:
		s := e.IdentityStatus
		if s == "" {
			s = e.Status
		}
		return DocumentStatusFor(s)
	case EventStepCompleted:
		if e.Step != nil && e.Step.ID == StepAlterationDetection && e.Step.Error != nil {
			switch e.Step.Error.Code {
			case CodeFraudAttempt:
				return DocRechazado, true
			case CodeNegligence:
				return DocRevisionManual, true
			}
		}
	case EventVerificationPostponed:
		return DocEnRevision, true
	}
	return "", false
}
