package dataframe

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/format"
)

// treeString renders a schema as Spark's printSchema does (StructType.treeString):
//
//	root
//	 |-- id: long (nullable = false)
//	 |-- tags: array (nullable = true)
//	 |    |-- element: string (containsNull = true)
//
// one line per column, each ending in "\n", nested types indented by "    |": an array's
// element line, a struct's field lines, a map's key and value lines. Type names are
// Spark's where Spark has the type (long, integer, short, byte, double, float, string,
// binary, boolean, date, timestamp, decimal(p,s), array, struct, map, void); a VECTOR(n)
// is vector(n) without an element line, as Spark shows its ML vectors; types Spark lacks
// (unsigned integers, time) keep the name the shell shows. Names are escaped as Spark
// escapes them (a newline as \n).
func treeString(schema *arrow.Schema) string {
	var sb strings.Builder
	sb.WriteString("root\n")
	for _, f := range schema.Fields() {
		writeTreeField(&sb, " |", escapeTreeName(f.Name), f.Type, "nullable", f.Nullable)
	}
	return sb.String()
}

// writeTreeField writes "<prefix>-- name: type (what = null)" and the lines of t's
// children under it.
func writeTreeField(sb *strings.Builder, prefix, name string, t arrow.DataType, what string, null bool) {
	sb.WriteString(prefix)
	sb.WriteString("-- ")
	sb.WriteString(name)
	sb.WriteString(": ")
	sb.WriteString(sparkTypeName(t))
	if what != "" {
		sb.WriteString(" (")
		sb.WriteString(what)
		sb.WriteString(" = ")
		sb.WriteString(strconv.FormatBool(null))
		sb.WriteByte(')')
	}
	sb.WriteByte('\n')
	writeTreeChildren(sb, prefix+"    |", t)
}

// writeTreeChildren writes the element, field, or key and value lines of a nested type.
func writeTreeChildren(sb *strings.Builder, prefix string, t arrow.DataType) {
	switch tt := t.(type) {
	case *arrow.DictionaryType:
		writeTreeChildren(sb, prefix, tt.ValueType)
	case *arrow.MapType:
		writeTreeField(sb, prefix, "key", tt.KeyType(), "", false)
		writeTreeField(sb, prefix, "value", tt.ItemType(), "valueContainsNull", tt.ItemField().Nullable)
	case *arrow.FixedSizeListType:
		if tt.Elem().ID() != arrow.FLOAT32 { // a VECTOR has no element line
			writeTreeField(sb, prefix, "element", tt.Elem(), "containsNull", tt.ElemField().Nullable)
		}
	case arrow.ListLikeType:
		writeTreeField(sb, prefix, "element", tt.Elem(), "containsNull", tt.ElemField().Nullable)
	case *arrow.StructType:
		for _, f := range tt.Fields() {
			writeTreeField(sb, prefix, escapeTreeName(f.Name), f.Type, "nullable", f.Nullable)
		}
	}
}

// sparkTypeName is Spark's DataType.typeName of t, or the shell's name where Spark has no
// such type.
func sparkTypeName(t arrow.DataType) string {
	switch tt := t.(type) {
	case *arrow.DictionaryType:
		return sparkTypeName(tt.ValueType)
	case *arrow.FixedSizeListType:
		if tt.Elem().ID() == arrow.FLOAT32 {
			return "vector(" + strconv.Itoa(int(tt.Len())) + ")"
		}
		return "array"
	case *arrow.MapType:
		return "map"
	case arrow.ListLikeType:
		return "array"
	case *arrow.StructType:
		return "struct"
	case arrow.DecimalType:
		return "decimal(" + strconv.Itoa(int(tt.GetPrecision())) + "," + strconv.Itoa(int(tt.GetScale())) + ")"
	}
	switch t.ID() {
	case arrow.NULL:
		return "void"
	case arrow.BOOL:
		return "boolean"
	case arrow.INT8:
		return "byte"
	case arrow.INT16:
		return "short"
	case arrow.INT32:
		return "integer"
	case arrow.INT64:
		return "long"
	case arrow.FLOAT32:
		return "float"
	case arrow.FLOAT64:
		return "double"
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return "string"
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return "binary"
	case arrow.DATE32, arrow.DATE64:
		return "date"
	case arrow.TIMESTAMP:
		return "timestamp"
	}
	return format.TypeName(t)
}

// treeNameEscaper is Spark's StructField escapeMetaCharacters.
var treeNameEscaper = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`, "\f", `\f`, "\b", `\b`, "\v", `\v`, "\a", `\a`)

func escapeTreeName(name string) string { return treeNameEscaper.Replace(name) }
