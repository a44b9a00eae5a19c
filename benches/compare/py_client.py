"""The peer comparison's Python clients: DynamORM 0.11 (Marshmallow 2) and
PynamoDB 6, doing the same workload as benches/compare/{orm,raw}.rs.

    python py_client.py --client dynamorm-py|pynamodb --endpoint URL --server NAME [--scale F]

Prints one JSON line per measured operation (items, wall time, user+sys CPU
of this process from getrusage(RUSAGE_SELF)), one with the library versions,
and one at the end with the process's peak RSS. Every operation's result is
checked as the Rust clients check theirs. Only the library of the chosen
client is imported, so the peak RSS is that library's.

Where a library has no call for an operation, the closest documented way is
used (see NOTES, which the driver prints as footnotes).
"""

import argparse
import json
import os
import resource
import sys
import time

SINGLE = 5_000
QUERIES = 100
QUERY_ITEMS = 100
SCAN_ITEMS = 50_000
BATCH = 20_000

NOTES = {
    "dynamorm-py": {
        "create": "DynamORM 0.11 creates only provisioned tables; the bench creates its tables "
        "on demand with boto3 from the model's own key schema (setup, not measured).",
        "batch_get": "DynamORM 0.11's get_batch sends every key in one BatchGetItem (DynamoDB "
        "takes at most 100), so the bench calls it once per 100 keys; each call also builds a "
        "new boto3 session and resource (DynamoTable3.resource).",
        "update": "Thing.update_item(id=..., count__plus=1, conditions={'id__exists': True}): "
        "SET count = count + 1 if the item exists, ReturnValues NONE.",
        "batch_put": "Thing.put_batch(*items): boto3's batch_writer, 25 per request, one at a time.",
    },
    "pynamodb": {
        "update": "Thing(id).update(actions=[Thing.count.set(Thing.count + 1)], "
        "condition=Thing.id.exists()): PynamoDB always asks for ALL_NEW and decodes it.",
        "batch_put": "Thing.batch_write(): 25 per request, one at a time.",
        "batch_get": "Thing.batch_get(keys): 100 keys per request, one at a time.",
    },
}


def n(base, scale):
    return max(1, round(base * scale))


class Counts:
    def __init__(self, scale):
        self.single = n(SINGLE, scale)
        self.queries = n(QUERIES, scale)
        self.scan = n(SCAN_ITEMS, scale)
        self.batch = n(BATCH, scale)
        self.warm = min(n(200, scale), self.single)
        self.fill = self.scan - self.single - self.batch
        assert self.fill >= 0


def thing(prefix, i):
    return {
        "id": "%s%06d" % (prefix, i),
        "name": "Thing number %d" % i,
        "count": i,
        "tags": {"alpha": i % 7, "beta": 2, "gamma": 3},
    }


def book(publisher, j):
    return {
        "publisher": publisher_name(publisher),
        "isbn": "isbn-%04d" % j,
        "title": "Book number %d of publisher %d" % (j, publisher),
        "year": 1900 + j,
    }


def publisher_name(p):
    return "pub%04d" % p


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_stime


class Meter:
    def __init__(self, client, server):
        self.client = client
        self.server = server

    def measure(self, op, items, work):
        c0, s0 = cpu()
        t0 = time.perf_counter()
        done = work()
        seconds = time.perf_counter() - t0
        c1, s1 = cpu()
        used = c1 - c0
        assert done == items, "%s: %s did %d items, expected %d" % (self.client, op, done, items)
        print(
            "py_client: %11s %9s %-12s %7d items %9.0f/s %8.1f us CPU/item"
            % (self.client, self.server, op, items, items / seconds, used / items * 1e6),
            file=sys.stderr,
            flush=True,
        )
        emit({"kind": "op", "client": self.client, "server": self.server, "op": op,
              "items": items, "seconds": seconds, "cpu_s": used, "sys_s": s1 - s0})

    def finish(self):
        ru = resource.getrusage(resource.RUSAGE_SELF)
        emit({"kind": "process", "client": self.client, "server": self.server, "role": "workload",
              "max_rss_kib": ru.ru_maxrss, "cpu_s": ru.ru_utime + ru.ru_stime})


def versions(names):
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for name in names:
        out[name] = metadata.version(name)
    return out


# --------------------------------------------------------------------------
# DynamORM 0.11
# --------------------------------------------------------------------------


class DynamormPy:
    def __init__(self, endpoint, prefix):
        from dynamorm import DynaModel
        from marshmallow import fields

        class Thing(DynaModel):
            class Table:
                name = prefix + "things"
                hash_key = "id"
                read = 5
                write = 5

            class Schema:
                id = fields.String(required=True)
                name = fields.String()
                count = fields.Integer()
                tags = fields.Dict()

        class Book(DynaModel):
            class Table:
                name = prefix + "books"
                hash_key = "publisher"
                range_key = "isbn"
                read = 5
                write = 5

            class Schema:
                publisher = fields.String(required=True)
                isbn = fields.String(required=True)
                title = fields.String()
                year = fields.Integer()

        for model in (Thing, Book):
            model.Table.get_resource(
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="dynamormpy",
                aws_secret_access_key="dynamormpy",
            )
        self.Thing = Thing
        self.Book = Book

    def create(self):
        for model in (self.Thing, self.Book):
            table = model.Table
            resource_ = table.resource
            resource_.create_table(
                TableName=table.name,
                KeySchema=table.key_schema,
                AttributeDefinitions=table.attribute_definitions,
                BillingMode="PAY_PER_REQUEST",
            )
            resource_.meta.client.get_waiter("table_exists").wait(TableName=table.name)

    def delete(self):
        self.Thing.Table.delete()
        self.Book.Table.delete()

    def put(self, d):
        self.Thing(**d).save()

    def get(self, id_):
        t = self.Thing.get(id=id_)
        return None if t is None else {"id": t.id, "name": t.name, "count": t.count,
                                       "tags": dict(t.tags)}

    def update(self, id_):
        self.Thing.update_item(conditions={"id__exists": True}, id=id_, count__plus=1)

    def query(self, publisher):
        return list(self.Book.query(publisher=publisher).recursive())

    def scan(self, limit=None):
        it = self.Thing.scan()
        if limit:
            return list(it.limit(limit))
        return list(it.recursive())

    def put_things(self, dicts):
        self.Thing.put_batch(*dicts)

    def put_books(self, dicts):
        self.Book.put_batch(*dicts)

    def get_batch(self, ids):
        found = []
        for start in range(0, len(ids), 100):
            keys = [{"id": i} for i in ids[start:start + 100]]
            found.extend(t.id for t in self.Thing.get_batch(keys))
        return found

    @staticmethod
    def versions():
        return versions(["dynamorm", "marshmallow", "boto3", "botocore"])


# --------------------------------------------------------------------------
# PynamoDB 6
# --------------------------------------------------------------------------


class Pynamo:
    def __init__(self, endpoint, prefix):
        from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
        from pynamodb.models import Model

        # (Class bodies see this function's locals: endpoint, prefix.)
        class Thing(Model):
            class Meta:
                table_name = prefix + "things"
                host = endpoint
                region = "us-east-1"
                aws_access_key_id = "pynamodb"
                aws_secret_access_key = "pynamodb"
                billing_mode = "PAY_PER_REQUEST"

            id = UnicodeAttribute(hash_key=True)
            name = UnicodeAttribute()
            count = NumberAttribute()
            tags = MapAttribute()

        class Book(Model):
            class Meta:
                table_name = prefix + "books"
                host = endpoint
                region = "us-east-1"
                aws_access_key_id = "pynamodb"
                aws_secret_access_key = "pynamodb"
                billing_mode = "PAY_PER_REQUEST"

            publisher = UnicodeAttribute(hash_key=True)
            isbn = UnicodeAttribute(range_key=True)
            title = UnicodeAttribute()
            year = NumberAttribute()

        self.Thing = Thing
        self.Book = Book

    def create(self):
        self.Thing.create_table(wait=True)
        self.Book.create_table(wait=True)

    def delete(self):
        self.Thing.delete_table()
        self.Book.delete_table()

    def put(self, d):
        self.Thing(**d).save()

    def get(self, id_):
        try:
            t = self.Thing.get(id_)
        except self.Thing.DoesNotExist:
            return None
        return {"id": t.id, "name": t.name, "count": t.count, "tags": t.tags.as_dict()}

    def update(self, id_):
        T = self.Thing
        T(id_).update(actions=[T.count.set(T.count + 1)], condition=T.id.exists())

    def query(self, publisher):
        return list(self.Book.query(publisher))

    def scan(self, limit=None):
        if limit:
            return list(self.Thing.scan(limit=limit))
        return list(self.Thing.scan())

    def put_things(self, dicts):
        with self.Thing.batch_write() as batch:
            for d in dicts:
                batch.save(self.Thing(**d))

    def put_books(self, dicts):
        with self.Book.batch_write() as batch:
            for d in dicts:
                batch.save(self.Book(**d))

    def get_batch(self, ids):
        return [t.id for t in self.Thing.batch_get(ids)]

    @staticmethod
    def versions():
        return versions(["pynamodb", "botocore"])


# --------------------------------------------------------------------------
# The workload (as orm.rs / raw.rs)
# --------------------------------------------------------------------------


def as_plain(d):
    """A stored thing as plain ints, for comparing (boto3 reads numbers as Decimal)."""
    return {"id": d["id"], "name": d["name"], "count": int(d["count"]),
            "tags": {k: int(v) for k, v in d["tags"].items()}}


def warm(c, counts):
    for i in range(counts.warm):
        t = thing("p", i)
        c.put(t)
        assert c.get(t["id"]) is not None
        c.update(t["id"])
    for p in range(min(counts.queries, 5)):
        c.query(publisher_name(p))
    things = [thing("b", i) for i in range(counts.warm * 2)]
    c.put_things(things)
    c.get_batch([t["id"] for t in things])
    c.scan(limit=100)


def run(c, counts, meter):
    c.create()
    c.put_books([book(p, j) for p in range(counts.queries) for j in range(QUERY_ITEMS)])
    warm(c, counts)

    singles = [thing("p", i) for i in range(counts.single)]

    def puts():
        for t in singles:
            c.put(t)
        return len(singles)

    meter.measure("put", counts.single, puts)

    def gets():
        k = 0
        for t in singles:
            got = c.get(t["id"])
            assert got is not None and got["id"] == t["id"], t["id"]
            k += 1
        return k

    meter.measure("get", counts.single, gets)
    sample = singles[len(singles) // 2]
    assert as_plain(c.get(sample["id"])) == sample, (c.get(sample["id"]), sample)

    def updates():
        for t in singles:
            c.update(t["id"])
        return len(singles)

    meter.measure("update", counts.single, updates)
    for t in (singles[0], sample, singles[-1]):
        assert int(c.get(t["id"])["count"]) == t["count"] + 1, t["id"]

    def queries():
        k = 0
        for p in range(counts.queries):
            page = c.query(publisher_name(p))
            assert len(page) == QUERY_ITEMS, len(page)
            k += len(page)
        return k

    meter.measure("query", counts.queries * QUERY_ITEMS, queries)

    batch = [thing("b", i) for i in range(counts.batch)]

    def batch_put():
        c.put_things(batch)
        return len(batch)

    meter.measure("batch_put", counts.batch, batch_put)
    keys = [t["id"] for t in batch]
    del batch

    for start in range(0, counts.fill, 5_000):
        c.put_things([thing("f", i) for i in range(start, min(start + 5_000, counts.fill))])

    meter.measure("scan", counts.scan, lambda: len(c.scan()))

    def batch_get():
        found = c.get_batch(keys)
        assert all(i.startswith("b") for i in found)
        return len(found)

    meter.measure("batch_get", counts.batch, batch_get)
    c.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", required=True, choices=["dynamorm-py", "pynamodb"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--notes", action="store_true", help="print NOTES as JSON and exit")
    args = parser.parse_args()
    if args.notes:
        emit(NOTES)
        return
    prefix = "cmp-%s-%d-" % (args.client, os.getpid())
    impl = {"dynamorm-py": DynamormPy, "pynamodb": Pynamo}[args.client]
    client = impl(args.endpoint, prefix)
    emit({"kind": "versions", "client": args.client, "versions": impl.versions()})
    meter = Meter(args.client, args.server)
    run(client, Counts(args.scale), meter)
    meter.finish()


if __name__ == "__main__":
    main()
