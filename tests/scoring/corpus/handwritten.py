"""Hand-written (gold, prediction) pairs: every reason code the scorer emits, DML, DDL, and golds,
contexts and predictions in MySQL or PostgreSQL that only run through the transpile or lenient
GROUP BY fallback.

Each pair is `id`, `note` (what it is there for), `sql_context`, `sql` (gold), `prediction`, and
optionally `config` (ScoreConfig fields that differ from the corpus defaults, for the pairs that
need a short timeout or a small row limit). The verdicts are not written here: `regenerate.py`
scores these pairs and writes them, with their verdicts, to `handwritten.jsonl`.
"""

LIBRARY = (
    "CREATE TABLE books (book_id INT PRIMARY KEY, title VARCHAR(80), genre VARCHAR(20), pages INT, "
    "price DECIMAL(6,2), published DATE, in_stock BOOLEAN); "
    "INSERT INTO books VALUES (1, 'Dune', 'scifi', 412, 9.99, '1965-08-01', TRUE), "
    "(2, 'Emma', 'classic', 474, 5.50, '1815-12-23', FALSE), (3, 'Neuromancer', 'scifi', 271, 8.25, '1984-07-01', TRUE), "
    "(4, 'Persuasion', 'classic', 249, 5.50, '1817-12-20', TRUE), (5, 'Hyperion', 'scifi', 482, NULL, '1989-05-26', TRUE), "
    "(6, 'Beloved', 'literary', 324, 12.00, '1987-09-02', FALSE); "
    "CREATE TABLE loans (loan_id INT, book_id INT, member VARCHAR(30), loaned DATE, returned DATE); "
    "INSERT INTO loans VALUES (1, 1, 'kim', '2023-01-03', '2023-01-20'), (2, 3, 'lee', '2023-01-05', NULL), "
    "(3, 1, 'ana', '2023-02-11', '2023-02-25'), (4, 4, 'kim', '2023-03-01', NULL), (5, 6, 'raj', '2023-03-09', '2023-03-30');"
)

ORDERS = (
    "CREATE TABLE orders (order_id INT PRIMARY KEY, customer VARCHAR(30), amount DECIMAL(8,2), placed DATE); "
    "INSERT INTO orders VALUES (1, 'acme', 120.00, '2023-01-10'), (2, 'acme', 80.50, '2023-02-14'), "
    "(3, 'bolt', 300.00, '2023-02-20'), (4, 'cord', 45.25, '2023-03-01'), (5, 'bolt', 10.00, '2023-03-15');"
)

# The same table written for MySQL: DuckDB rejects ENGINE and CHARSET, sqlglot's mysql reader drops them.
MYSQL_CONTEXT = (
    "CREATE TABLE `orders` (`order_id` INT NOT NULL, `customer` VARCHAR(30), `amount` DECIMAL(8,2), `placed` DATE, "
    "PRIMARY KEY (`order_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4; "
    "INSERT INTO `orders` VALUES (1, 'acme', 120.00, '2023-01-10'), (2, 'acme', 80.50, '2023-02-14'), "
    "(3, 'bolt', 300.00, '2023-02-20'), (4, 'cord', 45.25, '2023-03-01'), (5, 'bolt', 10.00, '2023-03-15');"
)

# MySQL AUTO_INCREMENT: the transpiled CREATE drops it, so inserts that leave the key out then fail.
AUTO_INCREMENT_CONTEXT = (
    "CREATE TABLE orders (order_id INT AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(30), amount DECIMAL(8,2)) "
    "ENGINE=InnoDB; INSERT INTO orders (customer, amount) VALUES ('acme', 120.00), ('bolt', 300.00);"
)

CODES = (
    "CREATE TABLE parts (part_id INT, code VARCHAR(10), qty INT); "
    "INSERT INTO parts VALUES (1, '10', 4), (2, '20', 0), (3, '30', 7);"
)


def _pair(id, note, gold, prediction, context=LIBRARY, config=None):
    pair = {"id": f"hand/{id}", "note": note, "sql_context": context, "sql": gold, "prediction": prediction}
    if config:
        pair["config"] = config
    return pair


PAIRS = [
    # --- results: every verdict compare_results and judge give ----------------------------------
    _pair("match-join-vs-in", "reason match: a join and an IN subquery return the same rows",
          "SELECT b.title FROM books b JOIN loans l ON b.book_id = l.book_id WHERE l.returned IS NULL",
          "SELECT title FROM books WHERE book_id IN (SELECT book_id FROM loans WHERE returned IS NULL)"),
    _pair("match-cte-vs-subquery", "reason match: a CTE and a derived table",
          "WITH counts AS (SELECT book_id, COUNT(*) AS n FROM loans GROUP BY book_id) "
          "SELECT b.title, c.n FROM books b JOIN counts c ON b.book_id = c.book_id",
          "SELECT title, n FROM books JOIN (SELECT book_id, COUNT(*) AS n FROM loans GROUP BY book_id) x USING (book_id)"),
    _pair("match-exact-case-whitespace", "exact match despite case, spacing and a trailing semicolon",
          "SELECT title FROM books WHERE genre = 'scifi'",
          "select   title\nfrom BOOKS where genre='scifi';"),
    _pair("match-date-vs-year", "a date range and YEAR() pick the same rows",
          "SELECT title FROM books WHERE published < '1900-01-01'",
          "SELECT title FROM books WHERE YEAR(published) < 1900"),
    _pair("match-boolean-spelling", "in_stock = TRUE and bare in_stock",
          "SELECT title FROM books WHERE in_stock = TRUE",
          "SELECT title FROM books WHERE in_stock"),
    _pair("match-case-expression", "CASE against IF with the same outcome",
          "SELECT title, CASE WHEN pages > 400 THEN 'long' ELSE 'short' END AS size FROM books",
          "SELECT title, IF(pages > 400, 'long', 'short') AS size FROM books"),
    _pair("match-prose-around-fence", "SQL extracted from a fenced block inside prose",
          "SELECT COUNT(*) FROM loans WHERE returned IS NULL",
          "Here is the query you asked for:\n```sql\nSELECT count(*) FROM loans WHERE returned IS NULL;\n```\nIt counts open loans."),
    _pair("match-intersect-vs-in", "INTERSECT and IN on distinct ids",
          "SELECT book_id FROM books WHERE genre = 'scifi' INTERSECT SELECT book_id FROM loans",
          "SELECT DISTINCT book_id FROM loans WHERE book_id IN (SELECT book_id FROM books WHERE genre = 'scifi')"),
    _pair("match-empty", "reason match_empty: both return no rows, for different reasons",
          "SELECT title FROM books WHERE pages > 1000",
          "SELECT title FROM books WHERE price > 100"),
    _pair("row-mismatch-count-nullable", "reason row_mismatch: COUNT(price) skips the NULL price",
          "SELECT COUNT(*) FROM books",
          "SELECT COUNT(price) FROM books"),
    _pair("row-mismatch-union-all", "reason row_mismatch: UNION ALL keeps the duplicate",
          "SELECT member FROM loans WHERE book_id = 1 UNION SELECT member FROM loans WHERE book_id = 4",
          "SELECT member FROM loans WHERE book_id = 1 UNION ALL SELECT member FROM loans WHERE book_id = 4"),
    _pair("row-mismatch-rank-vs-row-number", "reason row_mismatch: RANK ties where ROW_NUMBER does not",
          "SELECT title, RANK() OVER (ORDER BY price) AS r FROM books WHERE price IS NOT NULL",
          "SELECT title, ROW_NUMBER() OVER (ORDER BY price) AS r FROM books WHERE price IS NOT NULL"),
    _pair("row-mismatch-rounded-average", "reason row_mismatch: a rounded average against the exact one",
          "SELECT genre, AVG(price) FROM books GROUP BY genre",
          "SELECT genre, ROUND(AVG(price), 1) FROM books GROUP BY genre"),
    _pair("row-mismatch-left-join", "reason row_mismatch: LEFT JOIN keeps books never loaned",
          "SELECT b.title, l.member FROM books b JOIN loans l ON b.book_id = l.book_id",
          "SELECT b.title, l.member FROM books b LEFT JOIN loans l ON b.book_id = l.book_id"),
    _pair("column-mismatch-extra", "reason column_mismatch: an extra output column",
          "SELECT title FROM books WHERE genre = 'classic'",
          "SELECT title, pages FROM books WHERE genre = 'classic'"),
    _pair("column-mismatch-star", "reason column_mismatch: SELECT * for one column",
          "SELECT member FROM loans WHERE returned IS NULL",
          "SELECT * FROM loans WHERE returned IS NULL"),
    _pair("order-mismatch-other-key", "reason order_mismatch: same rows, ordered by another column",
          "SELECT title, published FROM books ORDER BY published",
          "SELECT title, published FROM books ORDER BY title"),
    _pair("suite-order-mismatch", "test-suite reason order_mismatch: no ties on the sample's pages, ties on generated ones broken the other way",
          "SELECT title, pages FROM books ORDER BY pages DESC, title",
          "SELECT title, pages FROM books ORDER BY pages DESC, title DESC"),
    _pair("order-mismatch-nulls", "NULLS FIRST against the default NULLS LAST",
          "SELECT title, price FROM books ORDER BY price NULLS FIRST",
          "SELECT title, price FROM books ORDER BY price"),
    _pair("order-unordered-prediction-of-limit", "top-2 by pages, prediction without ORDER BY",
          "SELECT title FROM books ORDER BY pages DESC LIMIT 2",
          "SELECT title FROM books WHERE pages > 450"),
    _pair("extra-result", "reason extra_result: gold changes data, prediction only reads",
          "DELETE FROM loans WHERE returned IS NOT NULL",
          "SELECT * FROM loans WHERE returned IS NULL"),
    _pair("no-result", "reason no_result: gold reads, prediction changes data",
          "SELECT COUNT(*) FROM loans WHERE returned IS NULL",
          "DELETE FROM loans WHERE returned IS NOT NULL"),
    # --- DML -------------------------------------------------------------------------------------
    _pair("insert-match-column-order", "INSERT with the columns listed in another order",
          "INSERT INTO loans (loan_id, book_id, member, loaned, returned) VALUES (6, 2, 'ola', '2023-04-01', NULL)",
          "INSERT INTO loans (member, book_id, loan_id, loaned) VALUES ('ola', 2, 6, DATE '2023-04-01')"),
    _pair("insert-select-match", "INSERT ... SELECT against literal rows",
          "INSERT INTO loans SELECT 10 + book_id, book_id, 'audit', DATE '2023-05-01', NULL FROM books WHERE genre = 'classic'",
          "INSERT INTO loans VALUES (12, 2, 'audit', '2023-05-01', NULL), (14, 4, 'audit', '2023-05-01', NULL)"),
    _pair("insert-state-mismatch", "reason state_mismatch: one value differs",
          "INSERT INTO books VALUES (7, 'Ubik', 'scifi', 202, 7.00, '1969-05-01', TRUE)",
          "INSERT INTO books VALUES (7, 'Ubik', 'scifi', 202, 7.50, '1969-05-01', TRUE)"),
    _pair("update-match", "UPDATE by genre against UPDATE by the same ids",
          "UPDATE books SET price = price * 1.10 WHERE genre = 'classic'",
          "UPDATE books SET price = price * 1.10 WHERE book_id IN (2, 4)"),
    _pair("update-state-mismatch", "reason state_mismatch: the wrong factor",
          "UPDATE books SET price = price * 1.10 WHERE genre = 'classic'",
          "UPDATE books SET price = price * 1.01 WHERE genre = 'classic'"),
    _pair("update-returning-vs-update-select", "UPDATE ... RETURNING against UPDATE then SELECT",
          "UPDATE loans SET returned = DATE '2023-04-01' WHERE returned IS NULL RETURNING loan_id",
          "UPDATE loans SET returned = DATE '2023-04-01' WHERE returned IS NULL; SELECT loan_id FROM loans WHERE returned = DATE '2023-04-01'"),
    _pair("delete-match", "DELETE through a subquery against DELETE by the same ids",
          "DELETE FROM loans WHERE book_id IN (SELECT book_id FROM books WHERE genre = 'scifi')",
          "DELETE FROM loans WHERE loan_id IN (1, 2, 3)"),
    _pair("delete-state-mismatch", "reason state_mismatch: deletes one row too many",
          "DELETE FROM books WHERE pages < 260",
          "DELETE FROM books WHERE pages < 300"),
    _pair("insert-then-count", "a two-statement gold whose last result counts the insert",
          "INSERT INTO loans VALUES (6, 5, 'zed', '2023-04-02', NULL); SELECT COUNT(*) FROM loans WHERE returned IS NULL",
          "INSERT INTO loans VALUES (6, 5, 'zed', '2023-04-02', NULL); SELECT COUNT(*) - COUNT(returned) FROM loans"),
    # --- DDL -------------------------------------------------------------------------------------
    _pair("create-table-match", "CREATE TABLE with INT and INTEGER, VARCHAR(n) and TEXT",
          "CREATE TABLE members (member_id INT, name VARCHAR(40), joined DATE)",
          "CREATE TABLE members (member_id INTEGER, name TEXT, joined DATE);"),
    _pair("create-table-state-mismatch", "reason state_mismatch: a column named differently",
          "CREATE TABLE members (member_id INT, name VARCHAR(40), joined DATE)",
          "CREATE TABLE members (id INT, name VARCHAR(40), joined DATE)"),
    _pair("create-table-as-match", "CREATE TABLE AS with an aggregate, spelled two ways",
          "CREATE TABLE genre_pages AS SELECT genre, SUM(pages) AS total_pages FROM books GROUP BY genre",
          "CREATE TABLE genre_pages AS SELECT genre, SUM(pages) total_pages FROM books GROUP BY 1"),
    _pair("create-view-vs-table", "a view where a table was asked for (kind differs)",
          "CREATE VIEW open_loans AS SELECT * FROM loans WHERE returned IS NULL",
          "CREATE TABLE open_loans AS SELECT * FROM loans WHERE returned IS NULL"),
    _pair("create-index-other-name", "an index under another name: indexes are not part of the state",
          "CREATE INDEX idx_books_genre ON books (genre)",
          "CREATE INDEX books_genre_idx ON books (genre)"),
    _pair("drop-table-match", "DROP TABLE and DROP TABLE IF EXISTS",
          "DROP TABLE loans",
          "DROP TABLE IF EXISTS loans;"),
    _pair("drop-wrong-table", "reason state_mismatch: the other table dropped",
          "DROP TABLE loans",
          "DROP TABLE books"),
    _pair("alter-add-column-default", "ALTER TABLE ADD COLUMN with a default against one without",
          "ALTER TABLE books ADD COLUMN rating INT DEFAULT 0",
          "ALTER TABLE books ADD COLUMN rating INTEGER"),
    _pair("alter-rename-column", "RENAME COLUMN against ADD + UPDATE + DROP",
          "ALTER TABLE loans RENAME COLUMN member TO borrower",
          "ALTER TABLE loans ADD COLUMN borrower VARCHAR(30); UPDATE loans SET borrower = member; ALTER TABLE loans DROP COLUMN member"),
    # --- predictions that do not run -------------------------------------------------------------
    _pair("pred-parse-error-truncated", "reason pred_parse_error: generation cut off after WHERE",
          "SELECT title FROM books WHERE genre = 'scifi'",
          "SELECT title FROM books WHERE"),
    _pair("pred-exec-error-unknown-table", "reason pred_exec_error: a table that does not exist",
          "SELECT title FROM books",
          "SELECT title FROM book"),
    _pair("pred-exec-error-group-by", "a prediction with a bare column: lenient_group_by runs it, a column too many",
          "SELECT genre, COUNT(*) FROM books GROUP BY genre",
          "SELECT genre, title, COUNT(*) FROM books GROUP BY genre"),
    _pair("pred-exec-error-too-large", "reason pred_exec_error from too_large: more rows than max_rows",
          "SELECT COUNT(*) FROM parts",
          "SELECT * FROM parts",
          context=CODES, config={"max_rows": 2}),
    _pair("pred-timeout", "reason timeout: a cross join of ranges past a 1 s limit",
          "SELECT COUNT(*) FROM parts",
          "SELECT SUM(a.range * b.range) FROM range(200000) a, range(200000) b",
          context=CODES, config={"timeout_s": 1.0}),
    _pair("empty-prediction-fence", "reason empty_prediction: an empty fenced block",
          "SELECT title FROM books",
          "```sql\n```"),
    # --- golds and contexts that do not run ------------------------------------------------------
    _pair("gold-error-group-by", "a gold with a bare column: lenient_group_by runs it, the prediction lacks the column",
          "SELECT genre, title, COUNT(*) FROM books GROUP BY genre",
          "SELECT genre, COUNT(*) FROM books GROUP BY genre"),
    _pair("gold-timeout", "reason gold_error from a gold past a 1 s limit",
          "SELECT SUM(a.range * b.range) FROM range(200000) a, range(200000) b",
          "SELECT 1",
          context=CODES, config={"timeout_s": 1.0}),
    _pair("context-error-missing-table", "reason context_error: the context inserts into a table it never creates",
          "SELECT name FROM authors",
          "SELECT name FROM authors",
          context="CREATE TABLE books (book_id INT, title TEXT); INSERT INTO authors VALUES (1, 'Le Guin');"),
    _pair("gold-nondeterministic", "reason gold_nondeterministic: a random() column never agrees with itself",
          "SELECT title, random() AS score FROM books",
          "SELECT title, 0.5 AS score FROM books"),
    # --- the test suite --------------------------------------------------------------------------
    _pair("suite-boundary", "matches on the sample's data, a suite database tells > 400 from >= 412",
          "SELECT title FROM books WHERE pages > 400",
          "SELECT title FROM books WHERE pages >= 412"),
    _pair("suite-pred-cast-error", "matches here; on a suite database a non-numeric code breaks the CAST",
          "SELECT part_id FROM parts WHERE code = '20'",
          "SELECT part_id FROM parts WHERE CAST(code AS INT) = 20",
          context=CODES),
    _pair("suite-no-database", "test_suite_reason no_suite_database: no tables, so no suite",
          "SELECT 1 + 1 AS two",
          "SELECT 2 AS two",
          context=""),
    _pair("suite-hardcoded-answer", "a prediction that hard-codes the answer matches only here",
          "SELECT COUNT(*) FROM parts WHERE qty > 0",
          "SELECT 2",
          context=CODES),
    # --- dialects: the transpile fallback --------------------------------------------------------
    _pair("mysql-gold-date-sub", "a MySQL gold: DATE_SUB with an interval runs as transpiled:mysql",
          "SELECT customer FROM orders WHERE placed >= DATE_SUB('2023-03-15', INTERVAL 30 DAY)",
          "SELECT customer FROM orders WHERE placed >= DATE '2023-02-13'",
          context=ORDERS),
    _pair("mysql-gold-backticks", "backtick identifiers: DuckDB runs them as written, sqlglot's duckdb reader does not parse them",
          "SELECT `customer`, SUM(`amount`) AS total FROM `orders` GROUP BY `customer`",
          "SELECT customer, SUM(amount) AS total FROM orders GROUP BY customer",
          context=ORDERS),
    _pair("mysql-gold-datediff", "a MySQL gold with two-argument DATEDIFF",
          "SELECT order_id, DATEDIFF('2023-03-31', placed) AS age_days FROM orders",
          "SELECT order_id, DATE '2023-03-31' - placed AS age_days FROM orders",
          context=ORDERS),
    _pair("mysql-gold-limit-offset", "a MySQL gold with LIMIT offset, count",
          "SELECT order_id FROM orders ORDER BY amount DESC LIMIT 1, 2",
          "SELECT order_id FROM orders ORDER BY amount DESC LIMIT 2 OFFSET 1",
          context=ORDERS),
    _pair("mysql-gold-str-to-date", "a MySQL gold with STR_TO_DATE",
          "SELECT COUNT(*) FROM orders WHERE placed > STR_TO_DATE('01/02/2023', '%d/%m/%Y')",
          "SELECT COUNT(*) FROM orders WHERE placed > DATE '2023-02-01'",
          context=ORDERS),
    _pair("mysql-both", "gold and prediction both in MySQL, the same rows",
          "SELECT customer FROM orders WHERE placed >= DATE_SUB('2023-03-15', INTERVAL 1 MONTH)",
          "SELECT `customer` FROM `orders` WHERE `placed` >= DATE_SUB('2023-03-15', INTERVAL 28 DAY)",
          context=ORDERS),
    _pair("mysql-update-join", "reason gold_error: a MySQL UPDATE ... JOIN, which sqlglot transpiles with the JOIN kept",
          "UPDATE books b JOIN loans l ON b.book_id = l.book_id SET b.in_stock = FALSE WHERE l.returned IS NULL",
          "UPDATE books SET in_stock = FALSE FROM loans l WHERE books.book_id = l.book_id AND l.returned IS NULL"),
    _pair("mysql-prediction", "a DuckDB gold, the prediction in MySQL",
          "SELECT member, COUNT(*) AS n FROM loans GROUP BY member ORDER BY n DESC, member LIMIT 2",
          "SELECT `member`, COUNT(*) AS n FROM `loans` GROUP BY `member` ORDER BY n DESC, `member` LIMIT 0, 2"),
    _pair("postgres-gold-to-char", "a PostgreSQL TO_CHAR gold: the mysql reader drops the format and runs first, so the gold answers dates",
          "SELECT title, TO_CHAR(published, 'YYYY') AS year FROM books WHERE genre = 'scifi'",
          "SELECT title, strftime(published, '%Y') AS year FROM books WHERE genre = 'scifi'"),
    _pair("postgres-prediction-to-char", "a PostgreSQL TO_CHAR prediction, also run through the lossy mysql reading",
          "SELECT title, CAST(YEAR(published) AS VARCHAR) AS year FROM books",
          "SELECT title, TO_CHAR(published, 'YY') AS year FROM books"),
    _pair("postgres-gold-to-date", "a PostgreSQL gold: TO_DATE runs as transpiled:postgres",
          "SELECT customer FROM orders WHERE placed > TO_DATE('2023-02-15', 'YYYY-MM-DD')",
          "SELECT customer FROM orders WHERE placed > DATE '2023-02-15'",
          context=ORDERS),
    _pair("postgres-delete-to-date", "a PostgreSQL DELETE against a DuckDB one that keeps a row too many",
          "DELETE FROM orders WHERE placed < TO_DATE('2023-02-20', 'YYYY-MM-DD')",
          "DELETE FROM orders WHERE placed < DATE '2023-02-14'",
          context=ORDERS),
    _pair("mysql-create-table-engine", "a MySQL CREATE TABLE with ENGINE against the plain one",
          "CREATE TABLE archive (id INT NOT NULL, note VARCHAR(20), PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
          "CREATE TABLE archive (id INT PRIMARY KEY, note VARCHAR(20))",
          context=ORDERS),
    _pair("mysql-alter-add-after", "reason gold_error: a MySQL ADD COLUMN ... AFTER, which sqlglot transpiles with AFTER kept",
          "ALTER TABLE orders ADD COLUMN note VARCHAR(20) AFTER customer",
          "ALTER TABLE orders ADD COLUMN note VARCHAR(20)",
          context=ORDERS),
    _pair("mysql-gold-bare-column", "a MySQL gold selecting a column its GROUP BY key determines: runs as lenient_group_by",
          "SELECT b.book_id, b.title, COUNT(*) FROM books b JOIN loans l ON l.book_id = b.book_id GROUP BY b.book_id",
          "SELECT b.book_id, b.title, COUNT(*) FROM books b JOIN loans l ON l.book_id = b.book_id GROUP BY b.book_id, b.title"),
    _pair("mysql-gold-bare-column-max", "a gold with a bare column beside its only MAX: the column comes from the MAX's row, as in SQLite",
          "SELECT customer, MAX(amount) FROM orders",
          "SELECT customer, amount FROM orders ORDER BY amount DESC LIMIT 1",
          context=ORDERS),
    _pair("mysql-context-identity", "a MySQL context, the gold as its own prediction",
          "SELECT customer, MAX(amount) FROM orders GROUP BY customer",
          "SELECT customer, MAX(amount) FROM orders GROUP BY customer",
          context=MYSQL_CONTEXT),
    _pair("mysql-context-auto-increment", "reason context_error: AUTO_INCREMENT is lost in the transpiled CREATE",
          "SELECT customer FROM orders WHERE amount > 100",
          "SELECT customer FROM orders WHERE amount > 100",
          context=AUTO_INCREMENT_CONTEXT),
]
