"""The backend of template.yaml on 127.0.0.1, in one process: `LocalStack` in `infra.local.stack`.

Kept free of imports so that importing a submodule does not start moto or load the template.
"""
