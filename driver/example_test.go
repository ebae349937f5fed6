package driver_test

import (
	"database/sql"
	"fmt"
	"log"

	_ "github.com/embersql/ember/driver"
)

// Open a database and query it with a parameter: importing the package registers the
// driver "ember".
func Example() {
	db, err := sql.Open("ember", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	rows, err := db.Query("SELECT x, x * x AS square FROM (SELECT explode(`array`(1, 2, 3)) AS x) t WHERE x >= ? ORDER BY x", 2)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var x, square int64
		if err := rows.Scan(&x, &square); err != nil {
			log.Fatal(err)
		}
		fmt.Println(x, square)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 2 4
	// 3 9
}
