"""Shared domain package of the field-enforcement backend, used by every Lambda function."""
