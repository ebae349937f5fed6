package dataframe

import (
	"context"
	"strings"
	"testing"

	"github.com/embersql/ember/sql/parser"
)

type fakeExtKey struct{}

// fakeExtension owns SHOW MODELS only, and counts the sessions it set up.
type fakeExtension struct{}

func (fakeExtension) Name() string { return "fake" }
func (fakeExtension) Setup(s *Session) error {
	s.SetExtensionState(fakeExtKey{}, "ready")
	return nil
}
func (fakeExtension) Exec(_ context.Context, s *Session, st parser.Statement) (*Result, bool, error) {
	if _, ok := st.(*parser.ShowModels); !ok {
		return nil, false, nil
	}
	return &Result{Message: "fake models of a " + s.ExtensionState(fakeExtKey{}).(string) + " session"}, true, nil
}

func TestExtension(t *testing.T) {
	s, err := NewSession(WithInMemoryCatalog(), WithExtensions(fakeExtension{}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.ExtensionState(fakeExtKey{}); got != "ready" {
		t.Fatalf("Setup did not run: state %v", got)
	}
	res, err := s.Exec(context.Background(), "SHOW MODELS")
	if err != nil || res.Message != "fake models of a ready session" {
		t.Errorf("SHOW MODELS: %v, %v", res, err)
	}
	_, err = s.Exec(context.Background(), "DESCRIBE MODEL m")
	if err == nil || !strings.Contains(err.Error(), "WithExtensions(ml.Extension())") {
		t.Errorf("a statement no extension runs: %v", err)
	}
	// A session without the extension is not touched by it.
	plain := dfSession(t, 1)
	if plain.ExtensionState(fakeExtKey{}) != nil {
		t.Error("the extension set up a session opened without it")
	}
	if _, err := plain.Exec(context.Background(), "SHOW MODELS"); err == nil {
		t.Error("SHOW MODELS ran in a session without the extension")
	}
}
