package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// ParseBatch parses a body of Segment-style payloads: a JSON array of items,
// an object {"batch": [...]}, or a single item object. It returns the good
// events in input order and the rejected items, with Row set to the item's
// 0-based index (see ParseItem for the reasons): every one counted, the
// first journeys.MaxListedRows listed. A body that is not JSON, or not one of
// those shapes, returns an *Error with code EINVALID. Items are decoded one
// at a time, so memory follows the good events, not the body's item count.
//
// now is the reference for the far-future check (zero means time.Now) and
// zero fields of lim take their defaults.
func ParseBatch(body []byte, now time.Time, lim journeys.Limits) ([]journeys.Event, journeys.Rejections, error) {
	var rejected journeys.Rejections
	body = bytes.TrimSpace(body)
	array := body
	switch {
	case len(body) == 0:
		return nil, rejected, journeys.Errorf(journeys.EINVALID, "body is empty (want a JSON array, {\"batch\": [...]} or one event object)")
	case body[0] == '[':
	case body[0] == '{':
		var env struct {
			Batch json.RawMessage `json:"batch"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return nil, rejected, journeys.Errorf(journeys.EINVALID, "body is not valid JSON: %v", err)
		}
		if env.Batch == nil {
			e, err := ParseItem(body, now, lim)
			if err != nil {
				rejected.Add(rowError(err, 0))
				return nil, rejected, nil
			}
			return []journeys.Event{e}, rejected, nil
		}
		if array = bytes.TrimSpace(env.Batch); len(array) == 0 || array[0] != '[' {
			return nil, rejected, journeys.Errorf(journeys.EINVALID, "batch: want an array of event objects")
		}
	default:
		return nil, rejected, journeys.Errorf(journeys.EINVALID, "body is not valid JSON (want a JSON array, {\"batch\": [...]} or one event object)")
	}
	if !json.Valid(array) {
		var v any
		err := json.Unmarshal(array, &v)
		return nil, rejected, journeys.Errorf(journeys.EINVALID, "body is not valid JSON: %v", err)
	}
	// Each item is decoded from the body's decoder; its text (for the size
	// and UTF-8 checks) is the body between the decoder's offsets.
	lim = lim.WithDefaults()
	if now.IsZero() {
		now = time.Now()
	}
	dec := json.NewDecoder(bytes.NewReader(array))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the '['
		return nil, rejected, journeys.Errorf(journeys.EINVALID, "body is not valid JSON: %v", err)
	}
	var events []journeys.Event
	for i := 0; dec.More(); i++ {
		start := dec.InputOffset()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, journeys.Rejections{}, journeys.Errorf(journeys.EINVALID, "body is not valid JSON: %v", err)
		}
		raw := bytes.TrimLeft(array[start:dec.InputOffset()], ", \t\r\n")
		if re := checkItem(raw, lim); re != nil {
			re.Row = i
			rejected.Add(*re)
			continue
		}
		e, _, err := itemEvent(v, "", now, lim)
		if err != nil {
			rejected.Add(rowError(err, i))
			continue
		}
		events = append(events, e)
	}
	return events, rejected, nil
}

// rowError is err as the RowError of row.
func rowError(err error, row int) journeys.RowError {
	re, ok := err.(journeys.RowError)
	if !ok {
		re = journeys.RowError{Field: "item", Problem: err.Error()}
	}
	re.Row = row
	return re
}

// ParseItem parses one Segment-style payload:
//
//	{"type": "track", "messageId": "m1", "userId": "u1", "anonymousId": "a1",
//	 "event": "add_to_cart", "timestamp": "2024-05-01T10:00:00Z",
//	 "properties": {"sku": "X1", "price": 9.5},
//	 "context": {"channel": "email", "device": {"type": "mobile"},
//	             "page": {"url": "https://shop.example/p/1"},
//	             "campaign": {"name": "spring", "source": "newsletter", "medium": "email"}}}
//
// Type defaults to "track". Person is userId, else anonymousId (Anonymous
// set); when both are given, PreviousID is the anonymousId (for alias it is
// previousId). Name is "event" for track, "page_view" for page, "screen_view"
// for screen, "identify" or "alias" otherwise. Properties are "properties"
// ("traits" for identify); page's top-level "name" and "category" are added
// to them unless already there.
//
// The normalised fields come from, first found:
//
//	Channel:  context.channel, properties.channel, context.campaign.medium
//	Campaign: context.campaign.name, properties.campaign
//	Device:   context.device.type, properties.device
//	URL:      context.page.url, properties.url
//	Session:  context.session_id, context.sessionId, properties.session_id
//	Value:    properties.revenue, properties.value, properties.price (number or numeric string)
//	Product:  properties.product_id, properties.productId, properties.sku
//
// and a property so used is removed from Properties. ID is messageId, else
// the content hash (see EventID; it covers Properties and the normalised
// fields).
//
// The error, if any, is a RowError with Row unset: malformed or oversize item,
// text that is not valid UTF-8 (raw or escaped, anywhere in the item: it is
// refused, never replaced), unknown type, missing person, missing,
// unparseable, too old or far-future timestamp, missing event name for
// track, missing previousId for alias, a value that is not a finite number
// ("NaN", "Infinity"), or anything else journeys.Limits.CheckEvent refuses
// (ids and name too long or holding control characters, properties too
// large or holding a non-finite number), named by the payload's own field
// ("userId", "event", "properties.price", "traits.ltv").
func ParseItem(raw json.RawMessage, now time.Time, lim journeys.Limits) (journeys.Event, error) {
	e, _, err := parseItem(raw, now, lim)
	return e, err
}

// ParseTyped parses the body of a single-call route (Segment's /track,
// /page, /identify...): one event object whose "type", when it has none, is
// typ. The body is decoded once. Like ParseBatch, a bad item is a rejected
// row (Row 0), not an error; the error is for a body that is no object.
func ParseTyped(body []byte, typ string, now time.Time, lim journeys.Limits) ([]journeys.Event, journeys.Rejections, error) {
	var rejected journeys.Rejections
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, rejected, journeys.Errorf(journeys.EINVALID, "body: want one JSON event object")
	}
	e, _, err := parseItemAs(body, typ, now, lim)
	if err != nil {
		rejected.Add(rowError(err, 0))
		return nil, rejected, nil
	}
	return []journeys.Event{e}, rejected, nil
}

// parseItem is ParseItem, also saying whether the ID is the sender's
// messageId (true) or a content hash.
func parseItem(raw []byte, now time.Time, lim journeys.Limits) (journeys.Event, bool, error) {
	return parseItemAs(raw, "", now, lim)
}

// parseItemAs is parseItem with a default type: typ, when set, is the
// item's "type" if it has none.
func parseItemAs(raw []byte, typ string, now time.Time, lim journeys.Limits) (journeys.Event, bool, error) {
	lim = lim.WithDefaults()
	if now.IsZero() {
		now = time.Now()
	}
	if re := checkItem(raw, lim); re != nil {
		return journeys.Event{}, false, *re
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return journeys.Event{}, false, journeys.RowErrorf("item", "malformed JSON: %v", err)
	}
	if dec.More() {
		return journeys.Event{}, false, journeys.RowErrorf("item", "malformed JSON: more than one value")
	}
	return itemEvent(v, typ, now, lim)
}

// checkItem returns the problem of an item's JSON text, before decoding:
// oversize, or not valid UTF-8 (see checkJSONText). lim has its defaults.
func checkItem(raw []byte, lim journeys.Limits) *journeys.RowError {
	if len(raw) > lim.MaxRowBytes {
		re := journeys.RowErrorf("item", "is %d bytes (max %d)", len(raw), lim.MaxRowBytes)
		return &re
	}
	return checkJSONText(raw, "item")
}

// itemEvent builds the event of a decoded item (see parseItemAs).
func itemEvent(v any, typ string, now time.Time, lim journeys.Limits) (journeys.Event, bool, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return journeys.Event{}, false, journeys.RowErrorf("item", "want a JSON object, got %s", jsonKind(v))
	}
	if _, ok := m["type"]; !ok && typ != "" {
		m["type"] = typ
	}
	return fromPayload(m, now, lim)
}

// fromPayload builds an Event from a decoded payload.
func fromPayload(m map[string]any, now time.Time, lim journeys.Limits) (journeys.Event, bool, error) {
	var e journeys.Event
	var problems []journeys.RowError
	str := func(field string, obj map[string]any, key string) string {
		s, err := stringField(obj, key)
		if err != "" {
			problems = append(problems, journeys.RowError{Field: field, Problem: err})
		}
		return s
	}

	e.Type = strings.ToLower(str("type", m, "type"))
	if e.Type == "" {
		e.Type = journeys.TypeTrack
	}
	switch e.Type {
	case journeys.TypeTrack, journeys.TypePage, journeys.TypeScreen, journeys.TypeIdentify, journeys.TypeAlias:
	default:
		return journeys.Event{}, false, journeys.RowErrorf("type", "%s is not a supported type (want track, page, screen, identify or alias)", journeys.Quote(e.Type))
	}

	userID, anonID := str("userId", m, "userId"), str("anonymousId", m, "anonymousId")
	e.PreviousID = str("previousId", m, "previousId")
	e.ID = str("messageId", m, "messageId")
	if len(problems) > 0 {
		return journeys.Event{}, false, problems[0]
	}
	switch {
	case e.Type == journeys.TypeAlias:
		e.Person = userID
		if e.Person == "" {
			return journeys.Event{}, false, journeys.RowErrorf("userId", "missing (alias needs userId and previousId)")
		}
		if e.PreviousID == "" {
			return journeys.Event{}, false, journeys.RowErrorf("previousId", "missing (alias needs userId and previousId)")
		}
	case userID != "":
		e.Person, e.PreviousID = userID, anonID
		if e.PreviousID == e.Person {
			e.PreviousID = ""
		}
	case anonID != "":
		e.Person, e.Anonymous, e.PreviousID = anonID, true, ""
	default:
		return journeys.Event{}, false, journeys.RowErrorf("userId", "missing (want userId or anonymousId)")
	}

	ts, ok := m["timestamp"]
	if !ok || ts == nil {
		return journeys.Event{}, false, journeys.RowErrorf("timestamp", "missing")
	}
	t, err := journeys.ParseTime(scalarString(ts))
	if err != nil {
		return journeys.Event{}, false, journeys.RowErrorf("timestamp", "%s", journeys.ErrorMessage(err))
	}
	if p := lim.CheckTime(t, now); p != "" {
		return journeys.Event{}, false, journeys.RowErrorf("timestamp", "%s", p)
	}
	e.Time = t

	propsKey := "properties"
	switch e.Type {
	case journeys.TypeTrack:
		e.Name = str("event", m, "event")
		if len(problems) > 0 {
			return journeys.Event{}, false, problems[0]
		}
		if e.Name == "" {
			return journeys.Event{}, false, journeys.RowErrorf("event", "missing (track needs an event name)")
		}
	case journeys.TypePage, journeys.TypeScreen:
		e.Name = journeys.NamePageView
		if e.Type == journeys.TypeScreen {
			e.Name = journeys.NameScreenView
		}
	case journeys.TypeIdentify:
		e.Name, propsKey = journeys.NameIdentify, "traits"
	case journeys.TypeAlias:
		e.Name = journeys.NameAlias
	}
	props, err2 := objectField(m, propsKey)
	if err2 != "" {
		return journeys.Event{}, false, journeys.RowErrorf(propsKey, "%s", err2)
	}
	if e.Type == journeys.TypePage || e.Type == journeys.TypeScreen {
		for _, k := range []string{"name", "category"} {
			if s := str(k, m, k); s != "" && props[k] == nil {
				props[k] = s
			}
		}
	}
	ctx, err2 := objectField(m, "context")
	if err2 != "" {
		return journeys.Event{}, false, journeys.RowErrorf("context", "%s", err2)
	}
	campaign, _ := objectField(ctx, "campaign")
	device, _ := objectField(ctx, "device")
	page, _ := objectField(ctx, "page")

	e.Channel = first(str("context.channel", ctx, "channel"), takeString(props, "channel"), str("context.campaign.medium", campaign, "medium"))
	e.Campaign = first(str("context.campaign.name", campaign, "name"), takeString(props, "campaign"))
	e.Device = first(str("context.device.type", device, "type"), takeString(props, "device"))
	e.URL = first(str("context.page.url", page, "url"), takeString(props, "url"))
	e.Session = first(str("context.session_id", ctx, "session_id"), str("context.sessionId", ctx, "sessionId"), takeString(props, "session_id"))
	e.Product = first(takeString(props, "product_id"), takeString(props, "productId"), takeString(props, "sku"))
	for _, k := range []string{"revenue", "value", "price"} {
		if f, ok := takeNumber(props, k); ok {
			if !journeys.IsFinite(f) {
				return journeys.Event{}, false, journeys.RowErrorf(propsKey+"."+k, "%v is not a finite number", f)
			}
			e.Value = f
			break
		}
	}
	if len(problems) > 0 {
		return journeys.Event{}, false, problems[0]
	}
	if len(props) > 0 {
		e.Properties = props
	}
	if re := lim.CheckEvent(&e); re != nil {
		return journeys.Event{}, false, payloadField(*re, e, propsKey)
	}
	if e.ID != "" {
		return e, true, nil
	}
	e.ID = e.ContentID()
	return e, false, nil
}

// payloadField renames the field of a CheckEvent problem to the payload's
// own: "person" is userId or anonymousId, "name" is event, "properties" is
// the item's properties or traits...
func payloadField(re journeys.RowError, e journeys.Event, propsKey string) journeys.RowError {
	switch re.Field {
	case "person":
		re.Field = "userId"
		if e.Anonymous {
			re.Field = "anonymousId"
		}
	case "previous_id":
		re.Field = "anonymousId"
		if e.Type == journeys.TypeAlias {
			re.Field = "previousId"
		}
	case "id":
		re.Field = "messageId"
	case "name":
		re.Field = "event"
	default:
		if rest, ok := strings.CutPrefix(re.Field, "properties"); ok {
			re.Field = propsKey + rest
		}
	}
	return re
}

// stringField returns obj[key] as a trimmed string: strings as they are,
// numbers in their JSON text (numeric user ids are common); a problem for
// any other type. A missing key or null is "".
func stringField(obj map[string]any, key string) (string, string) {
	switch v := obj[key].(type) {
	case nil:
		return "", ""
	case string:
		return strings.TrimSpace(v), ""
	case json.Number:
		return v.String(), ""
	default:
		return "", fmt.Sprintf("want a string, got %s", jsonKind(v))
	}
}

// objectField returns obj[key] as a normalised object (never nil), or a
// problem when it is present but not an object.
func objectField(obj map[string]any, key string) (map[string]any, string) {
	switch v := obj[key].(type) {
	case nil:
		return map[string]any{}, ""
	case map[string]any:
		return journeys.Normalise(v).(map[string]any), ""
	default:
		return map[string]any{}, fmt.Sprintf("want an object, got %s", jsonKind(v))
	}
}

// takeString removes props[key] and returns it when it is a non-empty string.
func takeString(props map[string]any, key string) string {
	if s, ok := props[key].(string); ok && strings.TrimSpace(s) != "" {
		delete(props, key)
		return strings.TrimSpace(s)
	}
	return ""
}

// takeNumber removes props[key] and returns it when it is a number or a
// numeric string.
func takeNumber(props map[string]any, key string) (float64, bool) {
	var f float64
	switch v := props[key].(type) {
	case int64:
		f = float64(v)
	case float64:
		f = v
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	delete(props, key)
	return f, true
}

// scalarString returns the text of a JSON string or number ("" otherwise).
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return fmt.Sprint(v)
}

// first returns the first non-empty string.
func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64, int64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
