"""Cloud Resource Manager v1: the two project calls gcloud makes on its way to a fleet
(`projects.get` for a project's number, `projects.testIamPermissions` before it fetches
Connect Gateway credentials), answered for the sandbox's fleet host projects.

Follows the cloudresourcemanager v1 client the Cloud SDK ships
(googlecloudsdk/generated_clients/apis/cloudresourcemanager/v1/), the version
api_lib/cloudresourcemanager/projects_util.py names `DEFAULT_API_VERSION`.
"""
