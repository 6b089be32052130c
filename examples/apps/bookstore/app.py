"""A small bookstore (the seed lab's BookStore, reduced): a catalogue in MariaDB, served by
Flask, one replica per swarm task. Every page names the task that answered, so a balancer's
spread can be seen.

Settings come from the environment labctl gives each task: PORT, DB_HOST, DB_PORT, DB_NAME,
DB_USER, LABCTL_INSTANCE, LABCTL_NODE; the database password from the swarm secret
/run/secrets/db_password (never an environment variable)."""

import html
import os
import socket
import threading
import time

import pymysql
from flask import Flask, jsonify, request

app = Flask(__name__)
INSTANCE = os.environ.get("LABCTL_INSTANCE", socket.gethostname())
NODE = os.environ.get("LABCTL_NODE", "?")
SEED = [
    (1, "Cien años de soledad", "Gabriel García Márquez", 35000, 3),
    (2, "La vorágine", "José Eustasio Rivera", 28000, 2),
    (3, "Designing Data-Intensive Applications", "Martin Kleppmann", 120000, 1),
    (4, "Distributed Systems", "Maarten van Steen", 95000, 4),
]
_schema_ready = threading.Event()


def password():
    path = os.environ.get("DB_PASSWORD_FILE", "/run/secrets/db_password")
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def connect():
    return pymysql.connect(
        host=os.environ["DB_HOST"],
        port=int(os.environ.get("DB_PORT", "3306")),
        user=os.environ["DB_USER"],
        password=password(),
        database=os.environ["DB_NAME"],
        connect_timeout=3,
        autocommit=True,
    )


def ensure_schema():
    with connect() as db, db.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS books (id INT PRIMARY KEY, title VARCHAR(200) NOT NULL,"
            " author VARCHAR(200) NOT NULL, price INT NOT NULL, stock INT NOT NULL)"
        )
        cur.executemany("INSERT IGNORE INTO books VALUES (%s, %s, %s, %s, %s)", SEED)
    _schema_ready.set()


def books():
    with connect() as db, db.cursor() as cur:
        cur.execute("SELECT id, title, author, price, stock FROM books ORDER BY id")
        return [dict(zip(("id", "title", "author", "price", "stock"), row)) for row in cur.fetchall()]


@app.after_request
def name_the_task(response):
    response.headers["X-Instance"] = INSTANCE
    return response


@app.get("/health")
def health():
    # Ready when the database answers: a task that cannot serve the catalogue is not healthy.
    try:
        if not _schema_ready.is_set():
            ensure_schema()
        with connect() as db, db.cursor() as cur:
            cur.execute("SELECT 1")
        return "ok instance=%s\n" % INSTANCE
    except Exception as error:  # noqa: BLE001 - any failure is "not ready"
        return "database not ready: %s\n" % error, 503


@app.get("/")
def catalogue():
    rows = "".join(
        "<tr><td>%s</td><td>%s</td><td>%d</td><td>%d</td></tr>"
        % (html.escape(b["title"]), html.escape(b["author"]), b["price"], b["stock"])
        for b in books()
    )
    return (
        "<!doctype html><title>Bookstore</title><h1>Bookstore</h1>"
        "<table><tr><th>Title</th><th>Author</th><th>Price</th><th>Stock</th></tr>%s</table>"
        "<p>instance=%s node=%s</p>\n" % (rows, html.escape(INSTANCE), html.escape(NODE))
    )


@app.get("/books")
def list_books():
    return jsonify({"instance": INSTANCE, "books": books()})


@app.post("/books/<int:book_id>/buy")
def buy(book_id):
    with connect() as db, db.cursor() as cur:
        bought = cur.execute(
            "UPDATE books SET stock = stock - 1 WHERE id = %s AND stock > 0", (book_id,)
        )
    if not bought:
        return jsonify({"error": "sold out or unknown", "instance": INSTANCE}), 409
    return jsonify({"bought": book_id, "instance": INSTANCE, "by": request.remote_addr})


if __name__ == "__main__":
    for _ in range(60):  # the database may still be starting
        try:
            ensure_schema()
            break
        except Exception:  # noqa: BLE001
            time.sleep(1)
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8000")), threaded=True)
