"""The REST API's shared parts, used by every app's serializers and views: serializer fields that
accept only what the OpenAPI schema says (fields.py) and the schema's shared error answers
(schema.py, REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS)."""
