package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/gowebpki/jcs"
)

// exactJSON checks that raw says exactly what v, decoded from it, says: no key
// twice in any object and no key in another case or spelling than v's own
// (encoding/json matches names case-insensitively and keeps the last of
// duplicates, so a file could show a reader one text and verify another).
func exactJSON(raw []byte, v any) error {
	if err := noDuplicateKeys(raw); err != nil {
		return err
	}
	again, err := json.Marshal(v)
	if err != nil {
		return err
	}
	a, err := jcs.Transform(raw)
	if err != nil {
		return err
	}
	b, err := jcs.Transform(again)
	if err != nil {
		return err
	}
	if !bytes.Equal(a, b) {
		return errors.New("the entry holds members other than those it is read as (a name in another case, or an empty value)")
	}
	return nil
}

// noDuplicateKeys walks raw's tokens and refuses an object with a name twice.
func noDuplicateKeys(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	type frame struct {
		object bool
		names  map[string]bool
		key    bool // the next string in this object is a name
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{object: t == '{', names: map[string]bool{}, key: t == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.object && top.key {
				if top.names[t] {
					return fmt.Errorf("the member %q appears twice", clip(t))
				}
				top.names[t] = true
				top.key = false
				continue
			}
			if top != nil && top.object {
				top.key = true
			}
		default:
			if top != nil && top.object {
				top.key = true
			}
		}
	}
}
