"""The directory sync part of the OpenAPI document (`/directories`, `/directory_users`, ...)."""

from portal.api.openapi_builders import (
    NULLABLE_STRING,
    TIMESTAMP,
    closed_object,
    list_of,
    operation,
    page_parameters,
    path_parameter,
    query_parameter,
    ref,
    response,
)

DIRECTORY_TYPES = [
    "okta scim v2.0",
    "azure scim v2.0",
    "onelogin scim v2.0",
    "jump cloud scim v2.0",
    "pingfederate scim v2.0",
    "rippling scim v2.0",
    "cyberark scim v2.0",
    "sailpoint scim v2.0",
    "generic scim v2.0",
]


def directory_schemas() -> dict:
    """Response shapes of `portal.services.directory_shapes`."""
    count = {"type": "integer", "minimum": 0}
    group = closed_object(
        {
            "object": {"const": "directory_group"},
            "id": {"type": "string", "examples": ["directory_group_01HV5Z3Q9X4M2N8R6T0B7C1D2E"]},
            "idp_id": {"type": "string"},
            "directory_id": {"type": "string"},
            "organization_id": {"type": "string"},
            "name": {"type": "string"},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "raw_attributes": {"type": "object", "description": "The SCIM group as pushed."},
        }
    )
    email = closed_object(
        {"primary": {"type": "boolean"}, "type": NULLABLE_STRING, "value": {"type": "string"}}
    )
    user = closed_object(
        {
            "object": {"const": "directory_user"},
            "id": {"type": "string", "examples": ["directory_user_01HV5Z3Q9X4M2N8R6T0B7C1D2E"]},
            "directory_id": {"type": "string"},
            "organization_id": {"type": "string"},
            "idp_id": {"type": "string"},
            "email": NULLABLE_STRING,
            "first_name": NULLABLE_STRING,
            "last_name": NULLABLE_STRING,
            "name": NULLABLE_STRING,
            "emails": {"type": "array", "items": ref("DirectoryUserEmail")},
            "job_title": NULLABLE_STRING,
            "username": {"type": "string"},
            "state": {"enum": ["active", "inactive", "suspended"]},
            "custom_attributes": {
                "type": "object",
                "description": "Read through the directory's attribute map.",
            },
            "raw_attributes": {"type": "object", "description": "The SCIM user as pushed."},
            "groups": {"type": "array", "items": ref("DirectoryGroup")},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    )
    directory = closed_object(
        {
            "object": {"const": "directory"},
            "id": {"type": "string", "examples": ["directory_01HV5Z3Q9X4M2N8R6T0B7C1D2E"]},
            "organization_id": {"type": "string"},
            "external_key": {"type": "string"},
            "type": {"enum": DIRECTORY_TYPES},
            "state": {"enum": ["linked", "unlinked", "validating", "invalid_credentials"]},
            "name": {"type": "string"},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "metadata": closed_object(
                {
                    "users": closed_object({"active": count, "inactive": count}),
                    "groups": count,
                }
            ),
        }
    )
    return {
        "Directory": directory,
        "DirectoryUser": user,
        "DirectoryUserEmail": email,
        "DirectoryGroup": group,
        "DirectoryList": list_of("Directory"),
        "DirectoryUserList": list_of("DirectoryUser"),
        "DirectoryGroupList": list_of("DirectoryGroup"),
    }


def directory_paths() -> dict:
    """The directory sync operations."""
    text = {"type": "string"}
    tag = "Directory sync"
    return {
        "/directories": {
            "get": operation(
                "list_directories",
                "List directories, newest first",
                tag,
                {200: response("A page of directories.", "DirectoryList")},
                errors=(422,),
                parameters=[
                    *page_parameters("desc"),
                    query_parameter("organization_id", text, "Only this organization's."),
                    query_parameter("search", text, "Only directories whose name has this."),
                    query_parameter("domain", text, "Only those of the domain's organization."),
                ],
            )
        },
        "/directories/{directory_id}": {
            "parameters": [path_parameter("directory_id", "The directory's id, `directory_...`.")],
            "get": operation(
                "get_directory",
                "Get a directory with its user and group counts",
                tag,
                {200: response("The directory.", "Directory")},
                errors=(404,),
            ),
            "delete": operation(
                "delete_directory",
                "Delete a directory with its users and groups",
                tag,
                {204: response("Deleted.")},
                errors=(404,),
            ),
        },
        "/directory_users": {
            "get": operation(
                "list_directory_users",
                "List directory users, newest first",
                tag,
                {200: response("A page of directory users.", "DirectoryUserList")},
                errors=(422,),
                parameters=[
                    *page_parameters("desc"),
                    query_parameter("directory", text, "Only users of this directory."),
                    query_parameter("group", text, "Only members of this group."),
                    query_parameter("idp_id", text, "Only the user with this IdP id."),
                    query_parameter("email", text, "Only users with this primary email."),
                ],
            )
        },
        "/directory_users/{user_id}": {
            "get": operation(
                "get_directory_user",
                "Get a directory user with their groups",
                tag,
                {200: response("The directory user.", "DirectoryUser")},
                errors=(404,),
                parameters=[path_parameter("user_id", "The user's id, `directory_user_...`.")],
            )
        },
        "/directory_groups": {
            "get": operation(
                "list_directory_groups",
                "List directory groups, newest first",
                tag,
                {200: response("A page of directory groups.", "DirectoryGroupList")},
                errors=(422,),
                parameters=[
                    *page_parameters("desc"),
                    query_parameter("directory", text, "Only groups of this directory."),
                    query_parameter("user", text, "Only groups this user is in."),
                ],
            )
        },
        "/directory_groups/{group_id}": {
            "get": operation(
                "get_directory_group",
                "Get a directory group",
                tag,
                {200: response("The directory group.", "DirectoryGroup")},
                errors=(404,),
                parameters=[path_parameter("group_id", "The group's id, `directory_group_...`.")],
            )
        },
    }
