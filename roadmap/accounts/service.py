"""Users: creation, passwords, the password policy. Services flush; callers commit."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from roadmap.extensions import db
from roadmap.models import Municipality, Organization, Role, User
from roadmap.singleline import has_control

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A user-facing problem with account data; the message is Russian. `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def password_problem(password: str, login: str | None = None) -> str | None:
    """Return why a password is too weak, in Russian, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Пароль должен быть не короче {MIN_PASSWORD_LENGTH} символов."
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        return "Пароль должен содержать буквы и цифры."
    if login and password.lower() == login.lower():
        return "Пароль не должен совпадать с логином."
    if password.lower() in {"password1", "qwerty123", "12345678a", "пароль123"}:
        return "Этот пароль слишком распространён."
    return None


def find_user(login: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))


def create_user(
    *,
    login: str,
    full_name: str,
    password: str,
    role: Role | str,
    organization: Organization | None = None,
    email: str | None = None,
    check_policy: bool = True,
    municipality: Municipality | None = None,
) -> User:
    """A new account; `municipality` limits a coordinator or observer to it (None: the whole region)."""
    login = _checked_login(login, None)
    role = _checked_role(role, organization)
    _checked_scope(role, municipality)
    full_name, email = _checked_name(full_name), _checked_email(email)
    if check_policy and (problem := password_problem(password, login)):
        raise AccountError(problem, field="password")
    user = User(
        login=login,
        full_name=full_name.strip() or login,
        email=(email or None),
        role=role,
        organization=organization,
        municipality=municipality,
        is_active_account=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(
    user: User,
    *,
    login: str,
    full_name: str,
    role: Role | str,
    organization: Organization | None,
    email: str | None,
    is_active: bool,
    password: str | None = None,
    municipality: Municipality | None = None,
) -> None:
    """Change an account by the same rules as creating one; a new password only when given."""
    login = _checked_login(login, user)
    role = _checked_role(role, organization)
    _checked_scope(role, municipality)
    full_name, email = _checked_name(full_name), _checked_email(email)
    _keep_an_admin(user, role=role, is_active=is_active)
    if password:
        set_password(user, password)
    user.login = login
    user.full_name = full_name.strip() or login
    user.email = email or None
    user.role = role
    user.organization = organization
    user.municipality = municipality
    if user.is_active_account and not is_active:
        user.session_generation = (user.session_generation or 0) + 1
    user.is_active_account = is_active


def save_user(
    user: User | None,
    *,
    login: str,
    full_name: str,
    password: str | None,
    role: Role | str,
    organization_id: int | None,
    municipality_id: int | None,
    email: str | None,
    is_active: bool,
) -> User:
    """The administrator's user form: create an account (`user` None; a password is required)
    or change one, with the organization and territory given by id (0 or None: none, the whole
    region); audited."""
    from roadmap import audit

    organization = db.session.get(Organization, organization_id) if organization_id else None
    place = db.session.get(Municipality, municipality_id) if municipality_id else None
    if user is None:
        if not password:
            raise AccountError("Задайте пароль для нового пользователя.", field="password")
        user = create_user(
            login=login,
            full_name=full_name,
            password=password,
            role=role,
            organization=organization,
            email=email,
            municipality=place,
        )
    else:
        update_user(
            user,
            login=login,
            full_name=full_name,
            role=role,
            organization=organization,
            email=email,
            is_active=is_active,
            password=password,
            municipality=place,
        )
    audit.record("user_saved", obj=user, summary=f"Пользователь: {user.login} ({user.role.label})")
    return user


def set_account_active(user: User, is_active: bool) -> None:
    """Switch an account on or off; switching off ends its sessions. The last admin stays."""
    _keep_an_admin(user, role=user.role, is_active=is_active)
    if user.is_active_account and not is_active:
        user.session_generation = (user.session_generation or 0) + 1
    user.is_active_account = is_active
    db.session.flush()


def _keep_an_admin(user: User, *, role: Role, is_active: bool) -> None:
    """Refuse to leave the instance without an active administrator."""
    if not (user.is_admin and user.is_active_account) or (role == Role.ADMIN and is_active):
        return
    others = db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.is_active_account.is_(True), User.id != user.id)
    )
    if not others:
        field = "is_active" if role == Role.ADMIN else "role"
        raise AccountError(
            "Это последний действующий администратор: сначала назначьте другого администратора.", field=field
        )


def _checked_login(login: str, user: User | None) -> str:
    login = login.strip()
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{2,100}", login):
        raise AccountError(
            "Логин может содержать только латинские буквы, цифры и знаки _ . @ - (от 2 символов).", field="login"
        )
    other = find_user(login)
    if other is not None and other is not user:
        raise AccountError(f"Пользователь с логином «{login}» уже есть.", field="login")
    return login


def _checked_name(full_name: str) -> str:
    if has_control(full_name):
        raise AccountError("ФИО должно быть одной строкой: уберите переводы строк и управляющие символы.", "full_name")
    return full_name.strip()


def email_problem(email: str) -> str | None:
    """Why an e-mail address is refused, in Russian, or None: the one rule of the web form and
    the CLI (email_validator's syntax check, no DNS). Addresses under the reserved «.invalid»
    domain (RFC 2606: never delivered), which the demo accounts use, are accepted."""
    from email_validator import EmailNotValidError, validate_email

    if len(email) > 254:
        return "Адрес эл. почты длиннее 254 символов."
    local, at, domain = email.rpartition("@")
    probe = f"{local}@reserved.example.org" if at and domain.lower().endswith(".invalid") else email
    try:
        validate_email(probe, check_deliverability=False)
    except EmailNotValidError:
        return f"Неверный адрес эл. почты «{email[:100]}»."
    return None


def _checked_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if problem := email_problem(email):
        raise AccountError(problem, field="email")
    return email


def _checked_role(role: Role | str, organization: Organization | None) -> Role:
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(
            f"Неизвестная роль «{role}»: допустимы admin, coordinator, executor, observer.", field="role"
        ) from None
    if role == Role.EXECUTOR and organization is None:
        raise AccountError("Исполнителю нужно указать организацию.", field="organization_id")
    return role


def _checked_scope(role: Role, municipality: Municipality | None) -> None:
    """A municipality limits coordinators and observers (roadmap.tasks.access); an administrator
    sees everything and an executor its organization, so for them it would mean nothing."""
    if municipality is not None and role not in (Role.COORDINATOR, Role.OBSERVER):
        raise AccountError(
            "Муниципалитет задаётся только координатору и наблюдателю: оставьте «Весь регион».",
            field="municipality_id",
        )


def set_password(user: User, password: str, *, check_policy: bool = True) -> None:
    """A new password ends every session of the user (the changing device renews its own)."""
    if check_policy and (problem := password_problem(password, user.login)):
        raise AccountError(problem, field="password")
    user.set_password(password)
    if user.id is not None:
        user.session_generation = (user.session_generation or 0) + 1
