"""Development: the run command's settings. DEBUG only when the run command sets it."""

from portal.settings.base import *  # noqa: F403
from portal.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)
PORTAL_DEMO_TOOLS = env_bool("PORTAL_DEMO_TOOLS", True)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
