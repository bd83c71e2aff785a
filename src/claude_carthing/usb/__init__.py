"""The host side of the Car Thing's USB network link: find the adapter, address it, check it."""

from claude_carthing.usb.apply import UsbExit, plan_for, setup
from claude_carthing.usb.discover import current_os, find_adapters
from claude_carthing.usb.elevation import is_admin, rerun_hint
from claude_carthing.usb.model import Adapter, Plan, Step

__all__ = [
    "Adapter",
    "Plan",
    "Step",
    "UsbExit",
    "current_os",
    "find_adapters",
    "is_admin",
    "plan_for",
    "rerun_hint",
    "setup",
]
