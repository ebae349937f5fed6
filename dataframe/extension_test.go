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
	RegisterExtension(fakeExtension{})
	t.Cleanup(func() {
		extensions.Lock()
		extensions.list = extensions.list[:len(extensions.list)-1]
		extensions.Unlock()
	})
	s := dfSession(t, 1)
	if got := s.ExtensionState(fakeExtKey{}); got != "ready" {
		t.Fatalf("Setup did not run: state %v", got)
	}
	res, err := s.Exec(context.Background(), "SHOW MODELS")
	if err != nil || res.Message != "fake models of a ready session" {
		t.Errorf("SHOW MODELS: %v, %v", res, err)
	}
	_, err = s.Exec(context.Background(), "DESCRIBE MODEL m")
	if err == nil || !strings.Contains(err.Error(), "import github.com/embersql/ember/ml") {
		t.Errorf("a statement no extension runs: %v", err)
	}
}
