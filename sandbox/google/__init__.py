"""What every Google API emulated here shares: error bodies, paging, JSON enums and
timestamps, JWT claims, and resource-name rules.

Follows Google's API design guide (https://cloud.google.com/apis/design/errors), the proto3
JSON mapping, and the naming rules of Resource Manager (project IDs) and Compute Engine
(regions).
"""
