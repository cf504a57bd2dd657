"""The service catalog read from the database, as a lookup (db.names.Catalog)."""

from sqlalchemy import Connection, select

from db.models import Department, Service, ServiceAlias
from db.names import Catalog, id_key, name_key

__all__ = ["Catalog", "id_key", "load_catalog", "name_key"]


def load_catalog(conn: Connection) -> Catalog:
    cat = Catalog()
    for dep_id, dep_name in conn.execute(select(Department.id, Department.name)):
        cat.departments[dep_id] = dep_name
    for sid, name, leika, dep in conn.execute(
        select(Service.id, Service.name, Service.leika_id, Service.department_id)
    ):
        cat.names[sid] = name
        cat.department_of[sid] = dep
        cat.by_name[name_key(name)] = sid
        if leika:
            cat.by_id[id_key(leika)] = sid
    for sid, key in conn.execute(select(ServiceAlias.service_id, ServiceAlias.alias_key)):
        cat.by_name.setdefault(key, sid)
    return cat
